package engine

import (
	"slices"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
)

// IsCategorical reports whether columns of type t hold categories: utf8,
// large_utf8 and utf8_view strings, and dictionaries of them (pandas
// category, polars Categorical and Enum).
func IsCategorical(t arrow.DataType) bool {
	if d, ok := t.(*arrow.DictionaryType); ok {
		t = d.ValueType
	}
	switch t.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return true
	}
	return false
}

// Categories is a categorical column read as codes: Codes[i] indexes Values
// for row i, or is -1 for a null.
type Categories struct {
	// Values are the distinct strings that occur in the column, sorted.
	Values []string
	// Codes holds one code per row.
	Codes []int32
}

// ReadCategories reads a string or dictionary-of-string column. Only values
// that occur are kept, so a dictionary's unused or repeated entries do not
// matter, and the codes do not depend on the dictionary's order. It fails
// with KindType for other columns and KindValue for a dictionary index
// outside its dictionary.
func ReadCategories(name string, c arrow.Array) (*Categories, error) {
	n := c.Len()
	codes := make([]int32, n)
	if d, ok := c.(*array.Dictionary); ok {
		value, ok := stringValues(d.Dictionary())
		if !ok {
			return nil, Errorf(KindType, "column %q is a dictionary of %s; categories must be strings", name, d.Dictionary().DataType())
		}
		nd := d.Dictionary().Len()
		dictCodes := make([]int32, nd)
		used := make([]bool, nd)
		for i := range n {
			if d.IsNull(i) {
				continue
			}
			j := d.GetValueIndex(i)
			if j < 0 || j >= nd {
				return nil, Errorf(KindValue, "column %q has dictionary index %d outside its dictionary of %d values", name, j, nd)
			}
			used[j] = true
		}
		values := encodeStrings(nd, func(j int) (string, bool) { return value(j), used[j] && d.Dictionary().IsValid(j) }, dictCodes)
		for i := range n {
			codes[i] = -1
			if d.IsValid(i) {
				codes[i] = dictCodes[d.GetValueIndex(i)]
			}
		}
		return &Categories{Values: values, Codes: codes}, nil
	}
	value, ok := stringValues(c)
	if !ok {
		return nil, Errorf(KindType, "column %q has type %s; categories must be strings or a dictionary of strings", name, c.DataType())
	}
	values := encodeStrings(n, func(i int) (string, bool) { return value(i), c.IsValid(i) }, codes)
	return &Categories{Values: values, Codes: codes}, nil
}

// stringValues returns the accessor of a string column.
func stringValues(c arrow.Array) (func(int) string, bool) {
	switch a := c.(type) {
	case *array.String:
		return a.Value, true
	case *array.LargeString:
		return a.Value, true
	case *array.StringView:
		return a.Value, true
	}
	return nil, false
}

// encodeStrings sets codes[i] to the rank of value(i) among the distinct
// valid values, or -1 where it is not valid, and returns those values
// sorted. The strings value returns may alias Arrow buffers: kept values are
// cloned. Each row costs one map lookup at most (none when it repeats the
// row before); codes in order of first sight are then turned into ranks.
func encodeStrings(n int, value func(int) (string, bool), codes []int32) []string {
	idx := map[string]int32{}
	var uniq []string
	prev, prevCode := "", int32(-1)
	for i := range n {
		v, ok := value(i)
		switch {
		case !ok:
			codes[i] = -1
			continue
		case prevCode >= 0 && v == prev:
			codes[i] = prevCode
			continue
		}
		k, seen := idx[v]
		if !seen {
			k = int32(len(uniq))
			idx[v] = k
			uniq = append(uniq, v)
		}
		codes[i], prev, prevCode = k, v, k
	}
	order := make([]int32, len(uniq)) // rank -> code of first sight
	for k := range order {
		order[k] = int32(k)
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(uniq[a], uniq[b]) })
	rank := make([]int32, len(uniq))
	out := make([]string, len(uniq))
	for r, k := range order {
		rank[k] = int32(r)
		out[r] = strings.Clone(uniq[k])
	}
	for i, k := range codes[:n] {
		if k >= 0 {
			codes[i] = rank[k]
		}
	}
	return out
}
