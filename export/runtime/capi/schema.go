package capi

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/quiver-ml/quiver/export/runtime"
)

// schemaColumn is a column as quiver_schema_json writes it: runtime.Column
// with its kind, which runtime.Column leaves out of its JSON.
type schemaColumn struct {
	Name       string   `json:"name"`
	Kind       string   `json:"kind"`
	Type       string   `json:"type"`
	Categories []string `json:"categories,omitempty"`
	Labels     []string `json:"labels,omitempty"`
	LabelType  string   `json:"label_type,omitempty"`
}

// schemaJSON returns the JSON quiver_schema_json returns for s.
func schemaJSON(s *runtime.Scorer) []byte {
	conv := func(cols []runtime.Column) []schemaColumn {
		out := make([]schemaColumn, len(cols))
		for i, c := range cols {
			out[i] = schemaColumn{Name: c.Name, Kind: c.Kind.String(), Type: c.Type, Categories: c.Categories, Labels: c.Labels, LabelType: c.LabelType}
		}
		return out
	}
	b, err := json.Marshal(struct {
		Name    string         `json:"name"`
		Inputs  []schemaColumn `json:"inputs"`
		Outputs []schemaColumn `json:"outputs"`
	}{s.Name, conv(s.Inputs), conv(s.Outputs)})
	if err != nil {
		// Strings and slices of strings always marshal.
		panic(err)
	}
	return b
}

// metadataJSON returns s's metadata compacted to one line, "{}" when it
// has none. It fails when the metadata is not valid JSON.
func metadataJSON(s *runtime.Scorer) ([]byte, error) {
	if len(bytes.TrimSpace(s.Metadata)) == 0 {
		return []byte("{}"), nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, s.Metadata); err != nil {
		return nil, fmt.Errorf("scorer %q: metadata: %w", s.Name, err)
	}
	return buf.Bytes(), nil
}
