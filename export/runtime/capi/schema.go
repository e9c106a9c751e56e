package capi

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/quiver-ml/quiver/export/runtime"
)

// schemaJSON returns the JSON quiver_schema_json returns for s: the
// scorer's schema on one line.
func schemaJSON(s *runtime.Scorer) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, s.SchemaJSON()); err != nil {
		// SchemaJSON marshals strings and ints, always valid JSON.
		panic(err)
	}
	return b.Bytes()
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
