package texthash

import (
	"regexp"
	"slices"
	"testing"
)

// MurmurHash3 as scikit-learn's murmurhash3_32 gives it (values from
// sklearn.utils.murmurhash3_32), for every length of tail.
func TestMurmur3(t *testing.T) {
	for s, want := range map[string]int32{
		"": 0, "a": 1009084850, "ab": -1681926305, "abc": -1277324294, "foo": -156908512, "abcd": 1139631978,
		"hello world": 1586663183, "naïve": 992511445, "日本語": -1515949417,
	} {
		if got := int32(Murmur3(s, 0)); got != want {
			t.Errorf("Murmur3(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestTokens(t *testing.T) {
	word := regexp.MustCompile(`[\p{L}\p{N}_]{2,}`)
	group := regexp.MustCompile(`(a)|b`)
	for _, tc := range []struct {
		re    *regexp.Regexp
		s     string
		lower bool
		want  []string
	}{
		{word, "Hello, World a_b 7", true, []string{"hello", "world", "a_b"}},
		{word, "Hello, World", false, []string{"Hello", "World"}},
		{group, "ab", false, []string{"a", ""}}, // b matches with the group unset
		{word, "", true, nil},
	} {
		if got := Tokens(tc.re, tc.s, tc.lower); !slices.Equal(got, tc.want) {
			t.Errorf("Tokens(%v, %q, %v) = %q, want %q", tc.re, tc.s, tc.lower, got, tc.want)
		}
	}
}

func TestBucket(t *testing.T) {
	// Murmur3("abc") is -1277324294 as int32: |h| mod 10 = 4.
	if got := Bucket("abc", 10); got != 4 {
		t.Errorf("Bucket(abc, 10) = %d, want 4", got)
	}
	for _, s := range []string{"", "a", "hello", "日本語"} {
		if b := Bucket(s, 7); b < 0 || b >= 7 {
			t.Errorf("Bucket(%q, 7) = %d, outside 0..6", s, b)
		}
	}
}
