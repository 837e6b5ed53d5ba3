using System.Buffers.Binary;
using System.Collections.Immutable;
using KinderQueue.Core.Log;
using NodaTime;

namespace KinderQueue.Core.Tests.Log;

/// <summary>
/// Cosignatures (c2sp.org/tlog-cosignature v1) and the witness's decision (c2sp.org/tlog-witness):
/// a consistent sequence is cosigned, and every refusal the protocol names comes with its status.
/// </summary>
public sealed class WitnessTests
{
    private const string Origin = "kinderqueue.example/test";
    private static readonly byte[] LogSeed = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];
    private static readonly byte[] WitnessSeed = [.. Enumerable.Range(101, 32).Select(i => (byte)i)];
    private static readonly Instant T0 = Instant.FromUtc(2027, 1, 15, 9, 0);

    private readonly SignedNote.Ed25519Signer _log = new(Origin, LogSeed);
    private readonly Cosignature.Signer _witness = new("witness.example/ngo", WitnessSeed);
    private readonly Dictionary<string, WitnessRecord> _state = new(StringComparer.Ordinal);

    private static byte[] Leaf(int i) => MerkleHash.Leaf(BitConverter.GetBytes(i));

    private static List<byte[]> Leaves(int n, int salt = 0) => [.. Enumerable.Range(0, n).Select(i => Leaf(i + salt))];

    private byte[] Note(IReadOnlyList<byte[]> leaves, long size, Instant time, SignedNote.Ed25519Signer? signer = null) =>
        System.Text.Encoding.UTF8.GetBytes((signer ?? _log).Sign(new NoteCheckpoint(Origin, size, MerkleTree.Root(leaves, size), new byte[32], time).Text()));

    private IReadOnlyDictionary<string, IReadOnlyList<SignedNote.VerifierKey>> Logs() =>
        new Dictionary<string, IReadOnlyList<SignedNote.VerifierKey>> { [Origin] = [SignedNote.VerifierKey.Parse(_log.VerifierKey).GetValueOrThrow()] };

    private WitnessVerdict Submit(long oldSize, ImmutableArray<byte[]> proof, byte[] note, ulong now = 1_800_000_000)
    {
        // Round-trips the wire format too: what a log sends is what the witness reads.
        var request = AddCheckpointRequest.Parse(new AddCheckpointRequest(oldSize, proof, note).Format()).GetValueOrThrow();
        var verdict = Witness.Decide(request, Logs(), o => _state.GetValueOrDefault(o), _witness, now);
        if (verdict.Accepted) _state[verdict.Origin!] = verdict.Record!;
        return verdict;
    }

    private WitnessVerdict Grow(List<byte[]> leaves, long from, long to, Instant time) =>
        Submit(from, from == 0 ? [] : MerkleTree.ConsistencyProof(leaves, from, to), Note(leaves, to, time));

    [Fact]
    public void A_cosignature_verifies_under_the_witness_key_and_carries_its_time()
    {
        var text = new NoteCheckpoint(Origin, 3, MerkleTree.Root(Leaves(3), 3), new byte[32], T0).Text();
        var line = _witness.Cosign(text, 1_700_000_000);
        var note = SignedNote.Parse(System.Text.Encoding.UTF8.GetBytes(_log.Sign(text) + line)).GetValueOrThrow();
        var key = CosignerKey.Parse(_witness.Key.VerifierKey).GetValueOrThrow();
        key.Should().Be(_witness.Key);
        key.FindOn(note).Should().Be(new Cosignature.Found(key, 1_700_000_000));

        // The wire layout: key ID ‖ big-endian time ‖ 64-byte signature, key ID over type 0x04.
        var raw = Convert.FromBase64String(line.Split(' ')[2].TrimEnd('\n'));
        raw.Should().HaveCount(4 + 8 + 64);
        BinaryPrimitives.ReadUInt32BigEndian(raw).Should().Be(SignedNote.KeyId("witness.example/ngo", 0x04, key.PublicKey));
        BinaryPrimitives.ReadUInt64BigEndian(raw.AsSpan(4)).Should().Be(1_700_000_000UL);
        key.VerifierKey.Should().StartWith($"witness.example/ngo+{key.KeyId:x8}+");

        // The log's own signature is no cosignature, another text breaks it, another key does not find it.
        key.FindOn(note with { Signatures = [note.Signatures[0]] }).Should().BeNull();
        key.FindOn(note with { Text = text.Replace("\n3\n", "\n4\n", StringComparison.Ordinal) }).Should().BeNull();
        new Cosignature.Signer("witness.example/ngo", LogSeed).Key.FindOn(note).Should().BeNull();
    }

    [Fact]
    public void The_signed_message_is_the_header_the_time_line_and_the_note_text()
    {
        System.Text.Encoding.UTF8.GetString(Cosignature.SignedMessage("example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", 1679315147))
            .Should().Be("cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n");
    }

    [Theory]
    [InlineData("witness.example/ngo+00000000+BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "vkey.id")]
    [InlineData("witness.example/ngo+abc+BAAA", "vkey.malformed")]
    [InlineData("kinderqueue/x+12345678+AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "vkey.type")]
    public void Malformed_witness_keys_are_refused(string text, string code) =>
        CosignerKey.Parse(text).Problems.Should().ContainSingle(p => p.Code == code);

    [Fact]
    public void A_log_verifier_key_is_not_a_witness_key() =>
        CosignerKey.Parse(_log.VerifierKey).Problems.Should().ContainSingle(p => p.Code == "vkey.type");

    [Fact]
    public void A_consistent_sequence_is_cosigned_step_by_step()
    {
        var leaves = Leaves(20);
        Grow(leaves, 0, 0, T0).Status.Should().Be(200, "the empty tree starts every log");
        foreach (var (from, to) in new[] { (0L, 1L), (1L, 5L), (5L, 5L), (5L, 8L), (8L, 13L), (13L, 20L) })
        {
            var verdict = Grow(leaves, from, to, T0 + Duration.FromSeconds(to));
            verdict.Status.Should().Be(200, $"{from} → {to} is consistent");
            _state[Origin].Size.Should().Be(to);
            var note = SignedNote.Parse(System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(Note(leaves, to, T0 + Duration.FromSeconds(to))) + verdict.Body)).GetValueOrThrow();
            _witness.Key.FindOn(note).Should().NotBeNull();
        }
    }

    [Fact]
    public void An_old_size_that_is_not_the_stored_one_gets_409_with_the_stored_size()
    {
        var leaves = Leaves(10);
        Grow(leaves, 0, 4, T0).Status.Should().Be(200);
        var verdict = Grow(leaves, 0, 10, T0);
        verdict.Status.Should().Be(409);
        verdict.Body.Should().Be("4\n");
        verdict.ContentType.Should().Be("text/x.tlog.size");
        Grow(leaves, 4, 10, T0).Status.Should().Be(200, "the log learnt the size and sends the proof from it");
    }

    [Fact]
    public void A_split_view_is_refused_the_second_tree_of_the_same_size_is_never_cosigned()
    {
        var honest = Leaves(6);
        var forked = Leaves(6, salt: 1000);
        Grow(honest, 0, 6, T0).Status.Should().Be(200);
        var verdict = Submit(6, [], Note(forked, 6, T0));
        verdict.Status.Should().Be(422);
        verdict.Body.Should().Contain("two trees of one size");
        _state[Origin].Root.Should().Equal(MerkleTree.Root(honest, 6));
    }

    [Fact]
    public void A_proof_that_does_not_connect_the_trees_gets_422()
    {
        var honest = Leaves(8);
        var rewritten = new List<byte[]>(honest) { [2] = Leaf(999) };
        Grow(honest, 0, 3, T0).Status.Should().Be(200);
        Submit(3, MerkleTree.ConsistencyProof(rewritten, 3, 8), Note(rewritten, 8, T0)).Status.Should().Be(422, "history below size 3 changed");
        Submit(3, [], Note(honest, 8, T0)).Status.Should().Be(422, "no proof at all");
        Submit(0, [], Note(honest, 8, T0)).Status.Should().Be(409);
        _state[Origin].Size.Should().Be(3);
    }

    [Fact]
    public void Going_back_in_size_or_in_kq_time_is_refused()
    {
        var leaves = Leaves(8);
        Grow(leaves, 0, 5, T0).Status.Should().Be(200);
        Submit(5, [], Note(leaves, 3, T0)).Status.Should().Be(400, "the old size exceeds the checkpoint's");
        Submit(5, [], Note(leaves, 5, T0 - Duration.FromSeconds(1))).Status.Should().Be(422, "kq-time went back");
        Grow(leaves, 5, 8, T0 - Duration.FromMinutes(1)).Status.Should().Be(422);
        Grow(leaves, 5, 8, T0).Status.Should().Be(200);
    }

    [Fact]
    public void Unknown_origins_and_untrusted_or_broken_signatures_are_refused()
    {
        var leaves = Leaves(2);
        var other = new SignedNote.Ed25519Signer("other.example/log", LogSeed);
        var foreign = System.Text.Encoding.UTF8.GetBytes(other.Sign(new NoteCheckpoint("other.example/log", 2, MerkleTree.Root(leaves, 2), new byte[32], T0).Text()));
        Submit(0, [], foreign).Status.Should().Be(404);

        var impostor = new SignedNote.Ed25519Signer(Origin, WitnessSeed);
        Submit(0, [], Note(leaves, 2, T0, impostor)).Status.Should().Be(403, "signed by a key of the same name that the witness does not trust");

        var good = System.Text.Encoding.UTF8.GetString(Note(leaves, 2, T0));
        var broken = good.Replace("\n2\n", "\n1\n", StringComparison.Ordinal);
        Submit(0, [], System.Text.Encoding.UTF8.GetBytes(broken)).Status.Should().Be(403, "the trusted key's signature does not verify over this text");

        Submit(0, [], System.Text.Encoding.UTF8.GetBytes("not a note")).Status.Should().Be(400);
        _state.Should().BeEmpty();
    }

    [Fact]
    public void Size_zero_needs_the_empty_root_and_no_proof()
    {
        var leaves = Leaves(3);
        var badZero = System.Text.Encoding.UTF8.GetBytes(_log.Sign($"{Origin}\n0\n{Convert.ToBase64String(MerkleTree.Root(leaves, 3))}\n"));
        Submit(0, [], badZero).Status.Should().Be(422);
        Submit(0, MerkleTree.ConsistencyProof(leaves, 1, 3), Note(leaves, 3, T0)).Status.Should().Be(422);
    }

    [Theory]
    [InlineData("old 01\n\nx", "witness.old")]
    [InlineData("new 1\n\nx", "witness.old")]
    [InlineData("old 1\nnot-base64\n\nx", "witness.proof")]
    [InlineData("old 1", "witness.body")]
    public void Malformed_request_bodies_are_refused(string body, string code) =>
        AddCheckpointRequest.Parse(System.Text.Encoding.UTF8.GetBytes(body)).Problems.Should().ContainSingle(p => p.Code == code);

    [Fact]
    public void The_specifications_example_request_reads_back()
    {
        const string body = "old 20852014\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\njrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n\n"
            + "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";
        var request = AddCheckpointRequest.Parse(System.Text.Encoding.UTF8.GetBytes(body)).GetValueOrThrow();
        request.OldSize.Should().Be(20852014);
        request.Proof.Should().HaveCount(4);
        System.Text.Encoding.UTF8.GetString(request.Note).Should().StartWith("example.com/behind-the-sofa\n20852163\n");
        System.Text.Encoding.UTF8.GetString(request.Format()).Should().Be(body);
        // The example's log key is not ours: the origin is unknown to this witness.
        Witness.Decide(request, Logs(), _ => null, _witness, 1).Status.Should().Be(404);
    }
}
