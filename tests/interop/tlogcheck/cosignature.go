package main

// C2SP tlog-cosignature/v1 with Ed25519 (https://c2sp.org/tlog-cosignature): golang.org/x/mod
// 0.7.0 predates cosignatures, so the rules are implemented here on crypto/ed25519, from the spec:
//
//	verifier key    name+hex(key ID)+base64(0x04 || 32-byte public key)
//	key ID          SHA-256(name || 0x0A || 0x04 || public key)[:4], big-endian
//	signature line  — name base64(key ID || u64 big-endian timestamp || 64-byte signature)
//	signed message  "cosignature/v1\ntime <timestamp, decimal>\n" || note text (with its final newline)

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// cosignatureType is the signature type byte of Ed25519 cosignature/v1 keys.
const cosignatureType = 0x04

// A witness is a cosigner that the checker was told to trust.
type witness struct {
	name   string
	keyID  uint32
	public ed25519.PublicKey
}

func cosignatureKeyID(name string, public []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{'\n', cosignatureType})
	h.Write(public)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// validKeyName follows signed-note: non-empty UTF-8 with no Unicode space and no '+'.
func validKeyName(name string) bool {
	return name != "" && utf8.ValidString(name) && strings.IndexFunc(name, unicode.IsSpace) < 0 && !strings.Contains(name, "+")
}

// parseWitnessKey reads a cosignature/v1 verifier key (type 0x04).
func parseWitnessKey(vkey string) (witness, error) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 || !validKeyName(parts[0]) || len(parts[1]) != 8 {
		return witness{}, errors.New("a witness key is name+8 hex digits+base64 (c2sp.org/signed-note)")
	}
	id, err := strconv.ParseUint(parts[1], 16, 32)
	if err != nil {
		return witness{}, errors.New("the key ID of the witness key is not hex")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil {
		return witness{}, errors.New("the key of the witness key is not base64")
	}
	if len(raw) != 1+ed25519.PublicKeySize || raw[0] != cosignatureType {
		return witness{}, fmt.Errorf("the witness key is not an Ed25519 cosignature/v1 key (type 0x04, 32 bytes)")
	}
	w := witness{name: parts[0], keyID: uint32(id), public: ed25519.PublicKey(raw[1:])}
	if cosignatureKeyID(w.name, w.public) != w.keyID {
		return witness{}, errors.New("the key ID of the witness key does not match its name and public key")
	}
	return w, nil
}

// witnessVerifierKey is the verifier key of a cosigner's public key.
func witnessVerifierKey(name string, public ed25519.PublicKey) string {
	return fmt.Sprintf("%s+%08x+%s", name, cosignatureKeyID(name, public), base64.StdEncoding.EncodeToString(append([]byte{cosignatureType}, public...)))
}

func cosignedMessage(timestamp uint64, text string) []byte {
	return []byte(fmt.Sprintf("cosignature/v1\ntime %d\n%s", timestamp, text))
}

// cosign returns the signature line of a cosignature by (name, private) of the note text at timestamp.
func cosign(name string, private ed25519.PrivateKey, timestamp uint64, text string) string {
	public := private.Public().(ed25519.PublicKey)
	payload := make([]byte, 12, 12+ed25519.SignatureSize)
	binary.BigEndian.PutUint32(payload, cosignatureKeyID(name, public))
	binary.BigEndian.PutUint64(payload[4:], timestamp)
	payload = append(payload, ed25519.Sign(private, cosignedMessage(timestamp, text))...)
	return "\u2014 " + name + " " + base64.StdEncoding.EncodeToString(payload) + "\n"
}

// checkCosignature finds the signature line of w in the signature block of a signed note (the
// bytes after the blank line) and returns its timestamp if it verifies. Lines of other keys are
// ignored; a line with w's name and key ID that does not verify is an error, as note.Open treats a
// known key's bad signature.
func checkCosignature(w witness, text string, sigBlock []byte) (uint64, error) {
	prefix := []byte("\u2014 ")
	for _, line := range bytes.Split(bytes.TrimSuffix(sigBlock, []byte("\n")), []byte("\n")) {
		if !bytes.HasPrefix(line, prefix) {
			return 0, errors.New("a signature line does not start with an em dash and a space")
		}
		name, b64, ok := strings.Cut(string(line[len(prefix):]), " ")
		if !ok || name != w.name {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(raw) < 4 || binary.BigEndian.Uint32(raw) != w.keyID {
			continue
		}
		if len(raw) != 4+8+ed25519.SignatureSize {
			return 0, fmt.Errorf("the cosignature of %s is %d bytes, not key ID, timestamp and an Ed25519 signature", w.name, len(raw))
		}
		timestamp := binary.BigEndian.Uint64(raw[4:12])
		if timestamp > 1<<63-1 {
			return 0, fmt.Errorf("the cosignature of %s has a timestamp beyond 2^63-1", w.name)
		}
		if !ed25519.Verify(w.public, cosignedMessage(timestamp, text), raw[12:]) {
			return 0, fmt.Errorf("the cosignature of %s (time %d) does not verify over this checkpoint", w.name, timestamp)
		}
		return timestamp, nil
	}
	return 0, fmt.Errorf("no cosignature of witness %s (key ID %08x)", w.name, w.keyID)
}
