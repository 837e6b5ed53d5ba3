package main

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

// A checkpoint is the text of a c2sp.org/tlog-checkpoint note: origin, tree size, base64 root,
// then extension lines (KinderQueue's are kq-head and kq-time, SPEC.md §11.2a). x/mod's
// tlog.ParseTree reads only the go.sum database's own origin, so the lines are read here.
type checkpoint struct {
	origin     string
	size       int64
	root       tlog.Hash
	extensions []string
}

func parseCheckpoint(text string) (checkpoint, error) {
	if !strings.HasSuffix(text, "\n") {
		return checkpoint{}, errors.New("the checkpoint text does not end in a newline")
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 {
		return checkpoint{}, fmt.Errorf("a checkpoint has at least three lines (origin, size, root), this one %d", len(lines))
	}
	cp := checkpoint{origin: lines[0], extensions: lines[3:]}
	if cp.origin == "" {
		return checkpoint{}, errors.New("the checkpoint's origin line is empty")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return checkpoint{}, fmt.Errorf("the checkpoint's size %q is not a decimal number without leading zeros", lines[1])
	}
	cp.size = size
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize || base64.StdEncoding.EncodeToString(root) != lines[2] {
		return checkpoint{}, fmt.Errorf("the checkpoint's root %q is not the base64 of 32 bytes", lines[2])
	}
	copy(cp.root[:], root)
	for _, line := range cp.extensions {
		if line == "" {
			return checkpoint{}, errors.New("the checkpoint has an empty extension line")
		}
	}
	return cp, nil
}
