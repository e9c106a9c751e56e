package ipc

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/pierrec/lz4/v4"
)

func TestXXH32(t *testing.T) {
	cases := map[string]uint32{
		"":    0x02CC5D05,
		"a":   0x550D7456,
		"abc": 0x32D153FF,
		"Nobody inspects the spammish repetition": 0xE2293B2F,
	}
	for in, want := range cases {
		if got := xxh32([]byte(in)); got != want {
			t.Errorf("xxh32(%q) = %#x, want %#x", in, got, want)
		}
	}
}

// TestLZ4Frames decodes frames that pierrec/lz4's writer makes, with and
// without checksums, and damaged ones.
func TestLZ4Frames(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, size := range []int{1, 100, 70000, 3 << 20} {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(i / 7 % 13)
			if rng.IntN(50) == 0 {
				data[i] = byte(rng.Uint32())
			}
		}
		for _, opts := range [][]lz4.Option{
			{lz4.ChecksumOption(false)},
			{lz4.ChecksumOption(true), lz4.BlockChecksumOption(true), lz4.SizeOption(uint64(size))},
			{lz4.BlockSizeOption(lz4.Block64Kb)},
			{lz4.BlockSizeOption(lz4.Block4Mb), lz4.CompressionLevelOption(lz4.Level1)},
		} {
			var buf bytes.Buffer
			w := lz4.NewWriter(&buf)
			if err := w.Apply(opts...); err != nil {
				t.Fatal(err)
			}
			w.Write(data)
			w.Close()
			frame := buf.Bytes()
			out := make([]byte, size)
			if err := lz4Frames(frame, out); err != nil || !bytes.Equal(out, data) {
				t.Fatalf("size %d, %v: %v", size, opts, err)
			}
			// Two frames in a row make one buffer.
			two := make([]byte, 2*size)
			if err := lz4Frames(append(append([]byte{}, frame...), frame...), two); err != nil || !bytes.Equal(two[size:], data) {
				t.Fatalf("two frames: %v", err)
			}
			if err := lz4Frames(frame, make([]byte, size+1)); err == nil {
				t.Error("a frame shorter than its buffer")
			}
			if size > 1 {
				if err := lz4Frames(frame, make([]byte, size-1)); err == nil {
					t.Error("a frame longer than its buffer")
				}
			}
			for i := range 200 * min(1, 100000/size) {
				bad := append([]byte(nil), frame...)
				if i%2 == 0 {
					bad = bad[:rng.IntN(len(bad))]
				} else {
					bad[rng.IntN(len(bad))] ^= byte(1 + rng.IntN(255))
				}
				err := lz4Frames(bad, make([]byte, size))
				if err == nil && strings.Contains(opts[0].String(), "true") {
					t.Errorf("damaged checksummed frame decoded")
				}
			}
		}
	}
}
