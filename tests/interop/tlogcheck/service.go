package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// The proof documents as the service serves them (SPEC.md §11.4): hashes are lowercase hex.
type inclusionDoc struct {
	EntryHash string   `json:"entryHash"`
	Index     int64    `json:"index"`
	Proof     []string `json:"proof"`
	Root      string   `json:"root"`
	Size      int64    `json:"size"`
}

type consistencyDoc struct {
	From     int64    `json:"from"`
	FromRoot string   `json:"fromRoot"`
	Proof    []string `json:"proof"`
	To       int64    `json:"to"`
	ToRoot   string   `json:"toRoot"`
}

// service reads the public transparency API of a running KinderQueue service.
type service struct {
	base   string
	client *http.Client
}

func newService(base string) *service {
	return &service{base: strings.TrimSuffix(base, "/") + "/api/v1/public", client: &http.Client{Timeout: 30 * time.Second}}
}

// get returns the body of a 200 answer; anything else, or no answer, is a usage error (the
// service could not be asked), never a verdict about the log.
func (s *service) get(path string) ([]byte, error) {
	resp, err := s.client.Get(s.base + path)
	if err != nil {
		return nil, usageError{err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, usageError{fmt.Errorf("GET %s: %v", path, err)}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, usageError{fmt.Errorf("GET %s: %s: %s", path, resp.Status, bytes.TrimSpace(body))}
	}
	return body, nil
}

func (s *service) getJSON(path string, v interface{}) error {
	body, err := s.get(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: not the documented JSON: %v", path, err)
	}
	return nil
}

func (s *service) noteVerifierKey() (string, error) {
	var doc struct {
		NoteVerifierKey string `json:"noteVerifierKey"`
	}
	if err := s.getJSON("/log-key", &doc); err != nil {
		return "", err
	}
	if doc.NoteVerifierKey == "" {
		return "", fmt.Errorf("GET /log-key: no noteVerifierKey")
	}
	return doc.NoteVerifierKey, nil
}

func (s *service) checkpointNote() ([]byte, error) { return s.get("/tlog/checkpoint") }

func (s *service) inclusion(seq, size int64) (inclusionDoc, error) {
	var doc inclusionDoc
	err := s.getJSON(fmt.Sprintf("/proofs/inclusion?seq=%d&size=%d", seq, size), &doc)
	return doc, err
}

func (s *service) consistency(from, to int64) (consistencyDoc, error) {
	var doc consistencyDoc
	err := s.getJSON(fmt.Sprintf("/proofs/consistency?from=%d&to=%d", from, to), &doc)
	return doc, err
}

// entry returns the bytes of entry seq from the export: its one line, without the newline.
func (s *service) entry(seq int64) ([]byte, error) {
	body, err := s.get(fmt.Sprintf("/log?from=%d&count=1", seq))
	if err != nil {
		return nil, err
	}
	if !bytes.HasSuffix(body, []byte("\n")) || bytes.Count(body, []byte("\n")) != 1 {
		return nil, fmt.Errorf("GET /log?from=%d&count=1: not one NDJSON line", seq)
	}
	return bytes.TrimSuffix(body, []byte("\n")), nil
}

func readJSONFile(file string, v interface{}) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return usageError{err}
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: not a proof document: %v", file, err)
	}
	return nil
}
