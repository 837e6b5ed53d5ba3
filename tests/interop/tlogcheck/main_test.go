package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// The checker's own rules, against notes and trees built with x/mod itself (note.Sign,
// tlog.StoredHashes, tlog.ProveRecord/ProveTree) and cosignatures made here by the spec.

var witnessSeed = bytes.Repeat([]byte{7}, ed25519.SeedSize)

// testLog is a log of n records "entry i", its hashes as tlog stores them.
type testLog struct {
	records [][]byte
	hashes  []tlog.Hash
}

func newTestLog(t *testing.T, n int) *testLog {
	l := &testLog{}
	for i := 0; i < n; i++ {
		rec := []byte(fmt.Sprintf(`{"seq":%d}`, i))
		stored, err := tlog.StoredHashes(int64(i), rec, tlog.HashReaderFunc(l.read))
		if err != nil {
			t.Fatal(err)
		}
		l.records = append(l.records, rec)
		l.hashes = append(l.hashes, stored...)
	}
	return l
}

func (l *testLog) read(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		out[i] = l.hashes[x]
	}
	return out, nil
}

func (l *testLog) root(t *testing.T, size int64) tlog.Hash {
	h, err := tlog.TreeHash(size, tlog.HashReaderFunc(l.read))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func hexes(hs []tlog.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = hex.EncodeToString(h[:])
	}
	return out
}

func hexOf(h tlog.Hash) string { return hex.EncodeToString(h[:]) }

// signedCheckpoint is a note of the tree of size under a fresh Ed25519 key named origin.
func signedCheckpoint(t *testing.T, origin string, size int64, root tlog.Hash) (msg []byte, vkey string) {
	skey, vkey, err := note.GenerateKey(nil, origin)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	text := fmt.Sprintf("%s\n%d\n%s\nkq-head %s\nkq-time 2027-01-15T09:00:02.000Z\n", origin, size, base64.StdEncoding.EncodeToString(root[:]), strings.Repeat("ab", 32))
	msg, err = note.Sign(&note.Note{Text: text}, signer)
	if err != nil {
		t.Fatal(err)
	}
	return msg, vkey
}

func TestCosignedMessage_IsTheSpecsLayout(t *testing.T) {
	got := string(cosignedMessage(1679315147, "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"))
	want := "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
	if got != want {
		t.Fatalf("message %q, want %q", got, want)
	}
}

func TestWitnessKey_IDIsSha256OfNameNewlineType04Key(t *testing.T) {
	public := ed25519.NewKeyFromSeed(witnessSeed).Public().(ed25519.PublicKey)
	vkey := witnessVerifierKey("witness.example/w1", public)
	w, err := parseWitnessKey(vkey)
	if err != nil {
		t.Fatal(err)
	}
	// Recomputed here by hand from the spec, not with cosignatureKeyID.
	sum := sha256Sum(append(append([]byte("witness.example/w1\n"), 0x04), public...))
	if want := fmt.Sprintf("%x", sum[:4]); !strings.Contains(vkey, "+"+want+"+") || fmt.Sprintf("%08x", w.keyID) != want {
		t.Fatalf("vkey %s, want key ID %s", vkey, want)
	}
	// The log's own key type (0x01) is not a cosignature key, and a wrong ID is refused.
	logKey, err := note.NewEd25519VerifierKey("witness.example/w1", public)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parseWitnessKey(logKey); err == nil {
		t.Fatal("a type 0x01 key was taken as a witness key")
	}
	parts := strings.SplitN(vkey, "+", 3)
	if _, err := parseWitnessKey(parts[0] + "+00000000+" + parts[2]); err == nil {
		t.Fatal("a wrong key ID was accepted")
	}
}

func TestVerifyNote_AcceptsTheLogsKey_AndCosignaturesOfTheWitness(t *testing.T) {
	l := newTestLog(t, 13)
	msg, vkey := signedCheckpoint(t, "kinderqueue/test", 13, l.root(t, 13))
	text := string(msg[:bytes.LastIndex(msg, []byte("\n\n"))+1])
	private := ed25519.NewKeyFromSeed(witnessSeed)
	w, _ := parseWitnessKey(witnessVerifierKey("witness.example/w1", private.Public().(ed25519.PublicKey)))
	cosigned := append(append([]byte{}, msg...), cosign(w.name, private, 1800000000, text)...)

	cp, err := verifyNote(cosigned, vkey, []witness{w}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cp.size != 13 || cp.root != l.root(t, 13) || len(cp.extensions) != 2 || cp.origin != "kinderqueue/test" {
		t.Fatalf("parsed %+v", cp)
	}
	// note.Open keeps the unknown cosignature aside; without a witness asked for, it is ignored.
	if _, err := verifyNote(cosigned, vkey, nil, io.Discard); err != nil {
		t.Fatal(err)
	}

	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{8}, 32))
	stranger, _ := parseWitnessKey(witnessVerifierKey("witness.example/w1", other.Public().(ed25519.PublicKey)))
	cases := map[string]struct {
		msg       []byte
		vkey      string
		witnesses []witness
	}{
		"no cosignature":             {msg, vkey, []witness{w}},
		"another witness key":        {cosigned, vkey, []witness{stranger}},
		"cosignature time changed":   {retime(t, cosigned, 1800000001), vkey, []witness{w}},
		"checkpoint text changed":    {bytes.Replace(cosigned, []byte("\n13\n"), []byte("\n14\n"), 1), vkey, nil},
		"extension line changed":     {bytes.Replace(cosigned, []byte("kq-head ab"), []byte("kq-head cd"), 1), vkey, []witness{}},
		"cosignature over old text":  {append(append([]byte{}, msg...), cosign(w.name, private, 1800000000, strings.Replace(text, "13", "12", 1))...), vkey, []witness{w}},
		"log signature only a cosig": {append([]byte(text+"\n"), cosign(w.name, private, 1800000000, text)...), vkey, []witness{w}},
	}
	_, wrongKey := signedCheckpoint(t, "kinderqueue/test", 13, l.root(t, 13))
	cases["another log key of the same name"] = struct {
		msg       []byte
		vkey      string
		witnesses []witness
	}{cosigned, wrongKey, nil}
	for name, c := range cases {
		_, err := verifyNote(c.msg, c.vkey, c.witnesses, io.Discard)
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
		t.Logf("%s: %v", name, err)
	}
}

// retime changes the timestamp inside the last signature line, keeping its signature.
func retime(t *testing.T, msg []byte, timestamp uint64) []byte {
	lines := strings.Split(strings.TrimSuffix(string(msg), "\n"), "\n")
	last := lines[len(lines)-1]
	i := strings.LastIndex(last, " ")
	raw, err := base64.StdEncoding.DecodeString(last[i+1:])
	if err != nil {
		t.Fatal(err)
	}
	for k := 0; k < 8; k++ {
		raw[4+k] = byte(timestamp >> (56 - 8*k))
	}
	lines[len(lines)-1] = last[:i+1] + base64.StdEncoding.EncodeToString(raw)
	return []byte(strings.Join(lines, "\n") + "\n")
}

func TestVerifyNote_RefusesAnOriginThatIsNotTheKeyName(t *testing.T) {
	l := newTestLog(t, 2)
	skey, vkey, _ := note.GenerateKey(nil, "kinderqueue/a")
	signer, _ := note.NewSigner(skey)
	msg, _ := note.Sign(&note.Note{Text: fmt.Sprintf("kinderqueue/b\n2\n%s\n", base64.StdEncoding.EncodeToString(func() []byte { h := l.root(t, 2); return h[:] }()))}, signer)
	if _, err := verifyNote(msg, vkey, nil, io.Discard); err == nil || !strings.Contains(err.Error(), "origin") {
		t.Fatalf("got %v", err)
	}
}

func TestProofs_FromTlogVerify_AndEveryChangedHashFails(t *testing.T) {
	l := newTestLog(t, 21)
	reader := tlog.HashReaderFunc(l.read)
	for size := int64(1); size <= 21; size++ {
		root := l.root(t, size)
		for seq := int64(0); seq < size; seq++ {
			p, err := tlog.ProveRecord(size, seq, reader)
			if err != nil {
				t.Fatal(err)
			}
			doc := inclusionDoc{EntryHash: hexOf(tlog.RecordHash(l.records[seq])), Index: seq, Proof: hexes(p), Root: hexOf(root), Size: size}
			if err := checkInclusion(doc, size, root, l.records[seq]); err != nil {
				t.Fatalf("inclusion %d in %d: %v", seq, size, err)
			}
			if err := checkInclusion(doc, size, root, []byte("another entry")); err == nil {
				t.Fatalf("inclusion %d in %d accepted other entry bytes", seq, size)
			}
			for i := range p {
				bad := append([]tlog.Hash{}, p...)
				bad[i][0] ^= 1
				doc.Proof = hexes(bad)
				if err := checkInclusion(doc, size, root, l.records[seq]); err == nil {
					t.Fatalf("inclusion %d in %d accepted a changed hash %d", seq, size, i)
				}
			}
		}
		for from := int64(1); from <= size; from++ {
			p, err := tlog.ProveTree(size, from, reader)
			if err != nil {
				t.Fatal(err)
			}
			doc := consistencyDoc{From: from, FromRoot: hexOf(l.root(t, from)), Proof: hexes(p), To: size, ToRoot: hexOf(root)}
			got, err := checkConsistency(doc, size, root)
			if err != nil || got != l.root(t, from) {
				t.Fatalf("consistency %d→%d: %v", from, size, err)
			}
			for i := range p {
				bad := append([]tlog.Hash{}, p...)
				bad[i][31] ^= 0x80
				doc.Proof = hexes(bad)
				if _, err := checkConsistency(doc, size, root); err == nil {
					t.Fatalf("consistency %d→%d accepted a changed hash %d", from, size, i)
				}
			}
		}
	}
	// A proof whose served root is not the trusted one is refused before any hashing.
	other := l.root(t, 20)
	if err := checkInclusion(inclusionDoc{EntryHash: hexOf(tlog.RecordHash(l.records[0])), Root: hexOf(l.root(t, 21)), Size: 21}, 21, other, nil); err == nil {
		t.Fatal("a proof for another root was accepted")
	}
}

func TestParseCheckpoint(t *testing.T) {
	root := "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
	if cp, err := parseCheckpoint("o\n0\n" + root + "\n"); err != nil || cp.size != 0 || len(cp.extensions) != 0 {
		t.Fatalf("%+v %v", cp, err)
	}
	for _, text := range []string{
		"o\n01\n" + root + "\n", "o\n-1\n" + root + "\n", "o\n1\n" + root, "o\n1\n" + root + "\n\n", "\n1\n" + root + "\n",
		"o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n", "o\n1\n" + root[:40] + "\n",
	} {
		if _, err := parseCheckpoint(text); err == nil {
			t.Errorf("accepted %q", text)
		}
	}
}

func TestCosignCommand_WritesANoteTheCheckerAccepts(t *testing.T) {
	dir := t.TempDir()
	l := newTestLog(t, 5)
	msg, vkey := signedCheckpoint(t, "kinderqueue/test", 5, l.root(t, 5))
	in, out := filepath.Join(dir, "note"), filepath.Join(dir, "cosigned")
	if err := os.WriteFile(in, msg, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"cosign", "-name", "w.example/1", "-seed", hex.EncodeToString(witnessSeed), "-in", in, "-out", out, "-time", "1800000000"}, &stdout, &stderr); code != 0 {
		t.Fatalf("cosign: %d %s", code, stderr.String())
	}
	wkey := strings.TrimSpace(stdout.String())
	if code := run([]string{"-note", out, "-vkey", vkey, "-witness", wkey}, io.Discard, &stderr); code != 0 {
		t.Fatalf("check: %d %s", code, stderr.String())
	}
	if code := run([]string{"-note", in, "-vkey", vkey, "-witness", wkey}, io.Discard, io.Discard); code != exitInvalid {
		t.Fatalf("a note without the cosignature: exit %d", code)
	}
	if code := run([]string{"-note", in}, io.Discard, io.Discard); code != exitUsage {
		t.Fatalf("no key: exit %d", code)
	}
}

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }
