using KinderQueue.Core.Log;
using NodaTime;

namespace KinderQueue.Core.Tests.Log;

/// <summary>
/// C2SP signed notes and checkpoints (c2sp.org/signed-note, c2sp.org/tlog-checkpoint): the
/// specification's own example verifies, signatures are deterministic (Ed25519), any change of the
/// text breaks them, unknown signatures are ignored, and the checkpoint body reads back.
/// </summary>
public sealed class SignedNoteTests
{
    // The example of c2sp.org/signed-note ("Verifier keys", "Example").
    private const string SpecKey = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
    private const string SpecNote = "This is an example message.\n\n\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

    // A fixed test key (SPEC.md §11.2 worked example): seed 0x01 0x02 … 0x20.
    private static readonly byte[] Seed = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    private static SignedNote.Note Read(string text) => SignedNote.Parse(System.Text.Encoding.UTF8.GetBytes(text)).GetValueOrThrow();

    [Fact]
    public void The_specifications_example_verifies_under_its_key()
    {
        var key = SignedNote.VerifierKey.Parse(SpecKey).GetValueOrThrow();
        var note = Read(SpecNote);
        note.Text.Should().Be("This is an example message.\n");
        key.Verifies(note).Should().BeTrue();
        key.Verifies(Read(SpecNote.Replace("example message", "exemple message", StringComparison.Ordinal))).Should().BeFalse();
    }

    [Fact]
    public void A_signed_note_verifies_under_the_signers_verifier_key_and_breaks_at_any_changed_byte()
    {
        var signer = new SignedNote.Ed25519Signer("kinderqueue.example/test", Seed);
        var text = "kinderqueue.example/test\n2\nabc\n";
        var signed = signer.Sign(text);
        signer.Sign(text).Should().Be(signed, "Ed25519 signatures are deterministic, so a vector can pin them");
        var key = SignedNote.VerifierKey.Parse(signer.VerifierKey).GetValueOrThrow();
        key.Verifies(Read(signed)).Should().BeTrue();
        for (var i = 0; i < text.Length - 1; i++)
        {
            if (text[i] == '\n') continue;
            var changed = string.Concat(signed.AsSpan(0, i), text[i] == 'x' ? "y" : "x", signed.AsSpan(i + 1));
            key.Verifies(Read(changed)).Should().BeFalse($"byte {i} changed");
        }
    }

    [Fact]
    public void Signatures_of_unknown_keys_ride_along_and_are_ignored()
    {
        var log = new SignedNote.Ed25519Signer("kinderqueue.example/test", Seed);
        var witness = new SignedNote.Ed25519Signer("witness.example/ngo", [.. Seed.Reverse()]);
        var text = "kinderqueue.example/test\n2\nabc\n";
        var both = log.Sign(text) + witness.Sign(text).Split("\n\n")[1];
        var note = Read(both);
        note.Signatures.Should().HaveCount(2);
        SignedNote.VerifierKey.Parse(log.VerifierKey).GetValueOrThrow().Verifies(note).Should().BeTrue();
        SignedNote.VerifierKey.Parse(witness.VerifierKey).GetValueOrThrow().Verifies(note).Should().BeTrue();
        var onlyWitness = Read(witness.Sign(text));
        SignedNote.VerifierKey.Parse(log.VerifierKey).GetValueOrThrow().Verifies(onlyWitness).Should().BeFalse("no signature of the log's key");
    }

    [Theory]
    [InlineData("no blank line\n\u2014 a AAAAAAA=\n", "note.malformed")]
    [InlineData("text\n\nnot a signature\n", "note.signature")]
    [InlineData("te\u0001xt\n\n\u2014 a AAAAAAA=\n", "note.control")]
    [InlineData("text\n\n\u2014 a !!!\n", "note.signature")]
    public void Malformed_notes_are_refused_with_a_problem(string text, string code) =>
        SignedNote.Parse(System.Text.Encoding.UTF8.GetBytes(text)).Problems.Should().ContainSingle(p => p.Code == code);

    [Theory]
    [InlineData("example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "vkey.id")]
    [InlineData("example.com/foo+530D903A+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "vkey.malformed")]
    [InlineData("example.com/foo+530d903a+AgABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f", "vkey.type")]
    [InlineData("example com+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "vkey.malformed")]
    public void Malformed_verifier_keys_are_refused(string text, string code) =>
        SignedNote.VerifierKey.Parse(text).Problems.Should().ContainSingle(p => p.Code == code);

    [Fact]
    public void A_checkpoint_note_reads_back_and_refuses_what_is_not_its_form()
    {
        var checkpoint = new NoteCheckpoint("kinderqueue.example/test", 2, [.. Enumerable.Repeat((byte)0xab, 32)], [.. Enumerable.Repeat((byte)0x0c, 32)],
            Instant.FromUtc(2027, 1, 15, 6, 0, 2));
        var text = checkpoint.Text();
        text.Should().Be("kinderqueue.example/test\n2\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\nkq-head " + string.Concat(Enumerable.Repeat("0c", 32)) +
            "\nkq-time 2027-01-15T06:00:02.000Z\n");
        NoteCheckpoint.Parse(text).GetValueOrThrow().Should().BeEquivalentTo(checkpoint);
        NoteCheckpoint.Parse(text.Replace("\n2\n", "\n02\n", StringComparison.Ordinal)).Problems.Should().ContainSingle(p => p.Code == "checkpoint.size");
        NoteCheckpoint.Parse(text.Replace("kq-time 2027-01-15T06:00:02.000Z", "kq-time 2027-01-15T06:00:02Z", StringComparison.Ordinal))
            .Problems.Should().ContainSingle(p => p.Code == "checkpoint.time");
        NoteCheckpoint.Parse(text + "extra\n").Problems.Should().ContainSingle(p => p.Code == "checkpoint.lines");
    }
}
