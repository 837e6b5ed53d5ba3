using System.Security.Cryptography;
using System.Text;

namespace KinderQueue.Api.Commands;

/// <summary>
/// Application numbers and access codes: random, from an alphabet without look-alike
/// characters (no 0/O, 1/I/L), so they can be read out at a service-centre counter.
/// The number is public and must not be guessable in sequence; the code is secret and is
/// stored only as a salted hash.
/// </summary>
public static class Secrets
{
    private const string Alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

    /// <summary>"KQ-" and 10 characters (~49 bits): collisions stay negligible at millions of applications.</summary>
    public static string NewApplicationNumber() => "KQ-" + Random(5) + "-" + Random(5);

    /// <summary>12 characters (~59 bits) in groups of four, shown to the applicant once.</summary>
    public static string NewAccessCode() => Random(4) + "-" + Random(4) + "-" + Random(4);

    public static byte[] NewSalt() => RandomNumberGenerator.GetBytes(16);

    /// <summary>SHA-256(salt ‖ normalised code): case and dashes do not matter when a parent types it.</summary>
    public static byte[] HashAccessCode(byte[] salt, string code)
    {
        var normalised = Encoding.UTF8.GetBytes(new string(code.Where(char.IsLetterOrDigit).Select(char.ToUpperInvariant).ToArray()));
        return SHA256.HashData([.. salt, .. normalised]);
    }

    public static bool AccessCodeMatches(byte[] salt, byte[] storedHash, string code) =>
        CryptographicOperations.FixedTimeEquals(HashAccessCode(salt, code), storedHash);

    private static string Random(int length)
    {
        // One call into the generator per string, not one (or more) per character: each call is a
        // trip into OpenSSL (with a getpid), which dominated the cost of a submission. Rejection
        // sampling keeps the characters uniform: a byte's low five bits give 0..31, and 31 is redrawn.
        Span<byte> bytes = stackalloc byte[length * 2];
        Span<char> chars = stackalloc char[length];
        var used = bytes.Length;
        for (var i = 0; i < length;)
        {
            if (used == bytes.Length)
            {
                RandomNumberGenerator.Fill(bytes);
                used = 0;
            }
            var v = bytes[used++] & 31;
            if (v < Alphabet.Length) chars[i++] = Alphabet[v];
        }
        return new string(chars);
    }
}
