// Package texthash finds and hashes the tokens of text as the hashed_tokens
// feature step does. It imports only the standard library so that exported
// scorers, which must not carry the engine, count tokens with the very same
// code as the step.
package texthash

import (
	"math/bits"
	"regexp"
	"strings"
)

// Tokens returns the tokens of s: the matches of re (the text of its
// capturing group, if it has one), in s lower-cased first when lower is
// set. A group that took no part in a match gives the empty token, as
// Python's re does.
func Tokens(re *regexp.Regexp, s string, lower bool) []string {
	if lower {
		s = strings.ToLower(s)
	}
	var out []string
	group := re.NumSubexp() == 1
	for _, loc := range re.FindAllStringSubmatchIndex(s, -1) {
		lo, hi := loc[0], loc[1]
		if group {
			lo, hi = loc[2], loc[3]
		}
		if lo < 0 {
			lo, hi = 0, 0
		}
		out = append(out, s[lo:hi])
	}
	return out
}

// Bucket returns the bucket (0 to n-1) of token: |h| mod n where h is
// Murmur3 of its bytes with seed 0 read as a signed 32-bit integer, and
// |-2^31| is 2^31, as scikit-learn's HashingVectorizer. n must be positive.
func Bucket(token string, n int) int {
	h := int64(int32(Murmur3(token, 0)))
	if h < 0 {
		h = -h
	}
	return int(h % int64(n))
}

// Murmur3 is MurmurHash3's x86 32-bit hash of the bytes of s.
func Murmur3(s string, seed uint32) uint32 {
	const c1, c2 = 0xcc9e2d51, 0x1b873593
	h := seed
	n := len(s)
	i := 0
	for ; i+4 <= n; i += 4 {
		k := uint32(s[i]) | uint32(s[i+1])<<8 | uint32(s[i+2])<<16 | uint32(s[i+3])<<24
		k *= c1
		k = bits.RotateLeft32(k, 15)
		k *= c2
		h ^= k
		h = bits.RotateLeft32(h, 13)
		h = h*5 + 0xe6546b64
	}
	var k uint32
	switch n & 3 {
	case 3:
		k ^= uint32(s[i+2]) << 16
		fallthrough
	case 2:
		k ^= uint32(s[i+1]) << 8
		fallthrough
	case 1:
		k ^= uint32(s[i])
		k *= c1
		k = bits.RotateLeft32(k, 15)
		k *= c2
		h ^= k
	}
	h ^= uint32(n)
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}
