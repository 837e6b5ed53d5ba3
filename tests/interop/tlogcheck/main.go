// Command tlogcheck checks a KinderQueue log's checkpoint and Merkle proofs with Go's
// golang.org/x/mod/sumdb/note and golang.org/x/mod/sumdb/tlog: software that none of
// KinderQueue's authors wrote accepts (or refuses) what the service publishes.
//
//	tlogcheck -service http://127.0.0.1:8080 [-vkey KEY] [-witness VKEY]... [-proofs N]
//	tlogcheck -note checkpoint.txt -vkey KEY [-inclusion FILE]... [-consistency FILE]... [-log log.ndjson]
//	tlogcheck cosign -name NAME -seed HEX -in NOTE -out NOTE [-time UNIX]
//
// Exit status: 0 when everything verified, 1 when a check failed (printed as "INVALID: …"),
// 2 for bad usage or an unreachable service.
package main

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const (
	exitInvalid = 1
	exitUsage   = 2
)

// usageError is a problem with the command line or the service's reachability, not a verdict.
type usageError struct{ error }

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	var err error
	if len(args) > 0 && args[0] == "cosign" {
		err = runCosign(args[1:], stdout)
	} else {
		err = runCheck(args, stdout)
	}
	var usage usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &usage):
		fmt.Fprintln(stderr, "error:", err)
		return exitUsage
	default:
		fmt.Fprintln(stderr, "INVALID:", err)
		return exitInvalid
	}
}

func runCheck(args []string, stdout io.Writer) error {
	flags := flag.NewFlagSet("tlogcheck", flag.ContinueOnError)
	serviceURL := flags.String("service", "", "base URL of the service, e.g. http://127.0.0.1:8080")
	vkey := flags.String("vkey", "", "the log's note verifier key to trust (default: noteVerifierKey of the service's /api/v1/public/log-key)")
	noteFile := flags.String("note", "", "read the checkpoint note from this file instead of the service")
	logFile := flags.String("log", "", "the log's NDJSON export from entry 0, to hash the entries of -inclusion files")
	proofs := flags.Int("proofs", 8, "with -service: how many entries and earlier sizes to prove")
	var witnesses, inclusions, consistencies listFlag
	flags.Var(&witnesses, "witness", "a witness's cosignature/v1 verifier key; each one given must have cosigned the checkpoint (repeatable)")
	flags.Var(&inclusions, "inclusion", "an inclusion proof document (as /proofs/inclusion serves it) to check against the checkpoint (repeatable)")
	flags.Var(&consistencies, "consistency", "a consistency proof document (as /proofs/consistency serves it) to check against the checkpoint (repeatable)")
	flags.SetOutput(io.Discard)
	if err := flags.Parse(args); err != nil {
		return usageError{err}
	}
	if *serviceURL == "" && (*noteFile == "" || *vkey == "") {
		return usageError{errors.New("give -service URL, or -note FILE and -vkey KEY")}
	}
	if *proofs < 1 {
		return usageError{errors.New("-proofs must be at least 1")}
	}
	var svc *service
	if *serviceURL != "" {
		svc = newService(*serviceURL)
	}

	trusted := *vkey
	if trusted == "" {
		key, err := svc.noteVerifierKey()
		if err != nil {
			return err
		}
		trusted = key
		fmt.Fprintf(stdout, "key     %s (from the service's log-key: pin it to detect a changed key)\n", trusted)
	}
	var ws []witness
	for _, k := range witnesses {
		w, err := parseWitnessKey(k)
		if err != nil {
			return usageError{fmt.Errorf("-witness %s: %v", k, err)}
		}
		ws = append(ws, w)
	}

	var msg []byte
	var err error
	if *noteFile != "" {
		msg, err = os.ReadFile(*noteFile)
		if err != nil {
			return usageError{err}
		}
	} else if msg, err = svc.checkpointNote(); err != nil {
		return err
	}
	cp, err := verifyNote(msg, trusted, ws, stdout)
	if err != nil {
		return err
	}

	var entries [][]byte
	if *logFile != "" {
		data, err := os.ReadFile(*logFile)
		if err != nil {
			return usageError{err}
		}
		entries = splitLines(data)
	}
	for _, file := range inclusions {
		var doc inclusionDoc
		if err := readJSONFile(file, &doc); err != nil {
			return err
		}
		var entry []byte
		if doc.Index >= 0 && doc.Index < int64(len(entries)) {
			entry = entries[doc.Index]
		}
		if err := checkInclusion(doc, cp.size, cp.root, entry); err != nil {
			return fmt.Errorf("%s: %v", file, err)
		}
		fmt.Fprintf(stdout, "ok      inclusion of entry %d in the tree of %d (%s)\n", doc.Index, cp.size, file)
	}
	for _, file := range consistencies {
		var doc consistencyDoc
		if err := readJSONFile(file, &doc); err != nil {
			return err
		}
		if _, err := checkConsistency(doc, cp.size, cp.root); err != nil {
			return fmt.Errorf("%s: %v", file, err)
		}
		fmt.Fprintf(stdout, "ok      the tree of %d extends the tree of %d (%s)\n", cp.size, doc.From, file)
	}
	if svc != nil {
		if err := proveFromService(svc, cp, *proofs, stdout); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "VALID: checkpoint %s size %d root %s verified with golang.org/x/mod/sumdb/note and tlog\n", cp.origin, cp.size, cp.root)
	return nil
}

// verifyNote opens the signed note with note.Open under the one trusted log key, reads its
// checkpoint text and checks each witness's cosignature.
func verifyNote(msg []byte, vkey string, witnesses []witness, stdout io.Writer) (checkpoint, error) {
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return checkpoint{}, usageError{fmt.Errorf("the log's verifier key %q: %v", vkey, err)}
	}
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		return checkpoint{}, fmt.Errorf("the checkpoint note does not verify with %s: %v", verifier.Name(), err)
	}
	cp, err := parseCheckpoint(n.Text)
	if err != nil {
		return checkpoint{}, err
	}
	// The log's key is named after its origin (SPEC.md §11.2a): a note of another log signed by
	// the same key must not pass for this one.
	if cp.origin != verifier.Name() {
		return checkpoint{}, fmt.Errorf("the checkpoint's origin %q is not the key's name %q", cp.origin, verifier.Name())
	}
	fmt.Fprintf(stdout, "ok      note signed by %s: size %d, root %s, %d extension line(s), %d other signature(s)\n",
		verifier.Name(), cp.size, cp.root, len(cp.extensions), len(n.UnverifiedSigs))
	sigBlock := msg[len(n.Text)+1:]
	for _, w := range witnesses {
		timestamp, err := checkCosignature(w, n.Text, sigBlock)
		if err != nil {
			return checkpoint{}, err
		}
		fmt.Fprintf(stdout, "ok      cosigned by witness %s at %s\n", w.name, time.Unix(int64(timestamp), 0).UTC().Format(time.RFC3339))
	}
	return cp, nil
}

// proveFromService checks consistency proofs from up to count earlier sizes to the checkpoint,
// which makes those sizes' roots trusted, then inclusion proofs of up to count entries, each in
// the checkpoint's tree and in the smallest trusted earlier tree that holds it. Every entry proven
// is downloaded from the export and hashed with tlog.RecordHash.
func proveFromService(svc *service, cp checkpoint, count int, stdout io.Writer) error {
	if cp.size == 0 {
		fmt.Fprintln(stdout, "ok      the tree is empty: nothing to prove")
		return nil
	}
	roots := map[int64]tlog.Hash{cp.size: cp.root}
	sizes := spread(1, cp.size, count)
	for _, m := range sizes {
		doc, err := svc.consistency(m, cp.size)
		if err != nil {
			return err
		}
		root, err := checkConsistency(doc, cp.size, cp.root)
		if err != nil {
			return fmt.Errorf("consistency %d→%d: %v", m, cp.size, err)
		}
		roots[m] = root
		fmt.Fprintf(stdout, "ok      the tree of %d extends the tree of %d (%d hashes)\n", cp.size, m, len(doc.Proof))
	}
	for _, seq := range spread(0, cp.size-1, count) {
		entry, err := svc.entry(seq)
		if err != nil {
			return err
		}
		at := []int64{cp.size}
		for _, m := range sizes {
			if m > seq && m < cp.size {
				at = append(at, m)
				break
			}
		}
		for _, size := range at {
			doc, err := svc.inclusion(seq, size)
			if err != nil {
				return err
			}
			if err := checkInclusion(doc, size, roots[size], entry); err != nil {
				return fmt.Errorf("inclusion of entry %d in the tree of %d: %v", seq, size, err)
			}
			fmt.Fprintf(stdout, "ok      entry %d is in the tree of %d (%d hashes)\n", seq, size, len(doc.Proof))
		}
	}
	return nil
}

// spread returns up to count distinct values from lo to hi inclusive, both ends among them.
func spread(lo, hi int64, count int) []int64 {
	var out []int64
	if count == 1 || lo == hi {
		return []int64{hi}
	}
	for k := 0; k < count; k++ {
		v := lo + (hi-lo)*int64(k)/int64(count-1)
		if len(out) == 0 || out[len(out)-1] != v {
			out = append(out, v)
		}
	}
	return out
}

// checkInclusion checks an inclusion proof document against a trusted root with tlog.CheckRecord;
// with the entry's bytes, their record hash must be the proof's leaf.
func checkInclusion(doc inclusionDoc, size int64, root tlog.Hash, entry []byte) error {
	if doc.Size != size {
		return fmt.Errorf("the proof is for the tree of %d, not %d", doc.Size, size)
	}
	served, err := parseHex(doc.Root)
	if err != nil {
		return fmt.Errorf("root: %v", err)
	}
	if served != root {
		return fmt.Errorf("the proof's root %s is not the trusted root %s", served, root)
	}
	leaf, err := parseHex(doc.EntryHash)
	if err != nil {
		return fmt.Errorf("entryHash: %v", err)
	}
	if entry != nil {
		if h := tlog.RecordHash(entry); h != leaf {
			return fmt.Errorf("tlog.RecordHash of entry %d is %s, the proof's entryHash is %s", doc.Index, h, leaf)
		}
	}
	proof, err := parseHexList(doc.Proof)
	if err != nil {
		return err
	}
	if err := tlog.CheckRecord(tlog.RecordProof(proof), size, root, doc.Index, leaf); err != nil {
		return fmt.Errorf("tlog.CheckRecord: %v", err)
	}
	return nil
}

// checkConsistency checks a consistency proof document from its from-size to a trusted root with
// tlog.CheckTree and returns the root of the from-size, now trusted.
func checkConsistency(doc consistencyDoc, to int64, toRoot tlog.Hash) (tlog.Hash, error) {
	if doc.To != to {
		return tlog.Hash{}, fmt.Errorf("the proof ends at the tree of %d, not %d", doc.To, to)
	}
	served, err := parseHex(doc.ToRoot)
	if err != nil {
		return tlog.Hash{}, fmt.Errorf("toRoot: %v", err)
	}
	if served != toRoot {
		return tlog.Hash{}, fmt.Errorf("the proof's toRoot %s is not the trusted root %s", served, toRoot)
	}
	fromRoot, err := parseHex(doc.FromRoot)
	if err != nil {
		return tlog.Hash{}, fmt.Errorf("fromRoot: %v", err)
	}
	proof, err := parseHexList(doc.Proof)
	if err != nil {
		return tlog.Hash{}, err
	}
	if err := tlog.CheckTree(tlog.TreeProof(proof), to, toRoot, doc.From, fromRoot); err != nil {
		return tlog.Hash{}, fmt.Errorf("tlog.CheckTree: %v", err)
	}
	return fromRoot, nil
}

func parseHex(s string) (tlog.Hash, error) {
	var h tlog.Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != tlog.HashSize || hex.EncodeToString(b) != s {
		return h, fmt.Errorf("%q is not 64 lowercase hex digits", s)
	}
	copy(h[:], b)
	return h, nil
}

func parseHexList(list []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(list))
	for i, s := range list {
		h, err := parseHex(s)
		if err != nil {
			return nil, fmt.Errorf("proof[%d]: %v", i, err)
		}
		out[i] = h
	}
	return out, nil
}

// splitLines splits an NDJSON export into its lines, without their newlines.
func splitLines(data []byte) [][]byte {
	var lines [][]byte
	for len(data) > 0 {
		i := strings.IndexByte(string(data), '\n')
		if i < 0 {
			lines = append(lines, data)
			break
		}
		lines = append(lines, data[:i])
		data = data[i+1:]
	}
	return lines
}

// runCosign appends a cosignature/v1 line of a witness key to a signed note and prints the
// witness's verifier key: the stand-in for a real witness in tests.
func runCosign(args []string, stdout io.Writer) error {
	flags := flag.NewFlagSet("tlogcheck cosign", flag.ContinueOnError)
	name := flags.String("name", "", "the witness's key name")
	seed := flags.String("seed", "", "the witness's Ed25519 private key seed, 64 hex digits")
	in := flags.String("in", "", "the signed note to cosign")
	out := flags.String("out", "", "where to write the cosigned note")
	at := flags.Int64("time", time.Now().Unix(), "the cosignature's timestamp, POSIX seconds")
	flags.SetOutput(io.Discard)
	if err := flags.Parse(args); err != nil {
		return usageError{err}
	}
	raw, err := hex.DecodeString(*seed)
	if err != nil || len(raw) != ed25519.SeedSize || !validKeyName(*name) || *in == "" || *out == "" || *at < 0 {
		return usageError{errors.New("cosign needs -name, -seed (64 hex digits), -in, -out and a non-negative -time")}
	}
	msg, err := os.ReadFile(*in)
	if err != nil {
		return usageError{err}
	}
	split := strings.LastIndex(string(msg), "\n\n")
	if split < 0 || !strings.HasSuffix(string(msg), "\n") {
		return usageError{errors.New("the input is not a signed note")}
	}
	private := ed25519.NewKeyFromSeed(raw)
	line := cosign(*name, private, uint64(*at), string(msg[:split+1]))
	if err := os.WriteFile(*out, append(msg, line...), 0o644); err != nil {
		return usageError{err}
	}
	fmt.Fprintln(stdout, witnessVerifierKey(*name, private.Public().(ed25519.PublicKey)))
	return nil
}
