package preprocess

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
	"github.com/quiver-ml/quiver/hyperspace"
)

// The roles of the rows of a column step's table.
const (
	roleKeep   = "keep"
	roleDrop   = "drop"
	roleRename = "rename"
)

// parseNames reads a column step's "columns": a JSON list of distinct,
// non-empty column names.
func parseNames(learner, text string) ([]string, error) {
	var names []string
	if err := json.Unmarshal([]byte(text), &names); err != nil || names == nil {
		why := "it is null"
		if err != nil {
			why = err.Error()
		}
		return nil, engine.Errorf(engine.KindValue, "%s: hyperparameter \"columns\" must be a JSON list of column names, such as [\"a\", \"b\"]; %s (got %s)", learner, why, clipText(text))
	}
	if len(names) == 0 {
		return nil, engine.Errorf(engine.KindValue, "%s: hyperparameter \"columns\" is empty; name at least one column", learner)
	}
	for i, n := range names {
		switch {
		case n == "":
			return nil, engine.Errorf(engine.KindValue, "%s: hyperparameter \"columns\" holds an empty name", learner)
		case slices.Index(names, n) != i:
			return nil, engine.Errorf(engine.KindValue, "%s: hyperparameter \"columns\" names %q twice", learner, n)
		}
	}
	return names, nil
}

// parseRenames reads rename_columns' "columns": a JSON object mapping old
// names to distinct, non-empty new ones.
func parseRenames(text string) (map[string]string, error) {
	var renames map[string]string
	if err := json.Unmarshal([]byte(text), &renames); err != nil || renames == nil {
		why := "it is null"
		if err != nil {
			why = err.Error()
		}
		return nil, engine.Errorf(engine.KindValue, "%s: hyperparameter \"columns\" must be a JSON object mapping old column names to new ones, such as {\"x\": \"age\"}; %s (got %s)", RenameColumnsName, why, clipText(text))
	}
	if len(renames) == 0 {
		return nil, engine.Errorf(engine.KindValue, "%s: hyperparameter \"columns\" is empty; map at least one old name to a new one", RenameColumnsName)
	}
	to := map[string]string{}
	for _, old := range sortedKeys(renames) {
		nw := renames[old]
		switch {
		case old == "" || nw == "":
			return nil, engine.Errorf(engine.KindValue, "%s: hyperparameter \"columns\" holds an empty name (%q to %q)", RenameColumnsName, old, nw)
		case to[nw] != "":
			return nil, engine.Errorf(engine.KindValue, "%s: hyperparameter \"columns\" renames both %q and %q to %q", RenameColumnsName, to[nw], old, nw)
		}
		to[nw] = old
	}
	return renames, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// columnStep is what the column steps share: the columns they keep (their
// inputs), drop or rename, and how they were fitted.
type columnStep struct {
	base
	// dropped are the columns the step drops.
	dropped []string
	// renamed are the new names of the inputs, for rename_columns.
	renamed []string
}

// prepareColumns validates a column step's arguments; the column steps
// take their columns from their "columns" hyperparameter, not from
// spec.Features.
func prepareColumns(learner string, sp hyperspace.Space, data *engine.Frame, spec estimators.Spec, params hyperspace.Values) (hyperspace.Values, time.Time, error) {
	start := time.Now()
	vals, err := sp.Validate(params)
	if err != nil {
		return nil, start, engine.Errorf(engine.KindValue, "%v", err)
	}
	switch {
	case spec.Valid != nil:
		return nil, start, engine.Errorf(engine.KindValue, "%s is a feature step and takes no validation frame", learner)
	case len(spec.Features) > 0:
		return nil, start, engine.Errorf(engine.KindValue, "%s takes its columns from hyperparameter \"columns\", not from features (got features %q)", learner, spec.Features)
	case data == nil || data.NumRows() == 0:
		return nil, start, engine.Errorf(engine.KindValue, "%s cannot be fitted on an empty frame (0 rows)", learner)
	}
	return vals, start, nil
}

// requireNamed fails with a KindColumn error if the frame lacks a column
// that the "columns" hyperparameter names.
func requireNamed(learner string, data *engine.Frame, name string) (arrow.Array, error) {
	c := data.Column(name)
	if c == nil {
		return nil, engine.Errorf(engine.KindColumn, "%s: hyperparameter \"columns\" names %q, which is not in the frame; its columns are %q", learner, name, data.Names())
	}
	return c, nil
}

// refuseRole refuses to drop or rename the target or the weight.
func refuseRole(learner, verb, name string, spec estimators.Spec) error {
	for _, r := range []struct{ role, col string }{{"target", spec.Target}, {"weight", spec.Weight}} {
		if r.col != "" && name == r.col {
			return engine.Errorf(engine.KindValue, "%s: hyperparameter \"columns\" would %s %q, the %s, which later steps need by its name", learner, verb, name, r.role)
		}
	}
	return nil
}

// isRole reports whether name is the target or the weight.
func isRole(name string, spec estimators.Spec) bool {
	return name == spec.Target || (spec.Weight != "" && name == spec.Weight)
}

// anyInput describes column c as an input read whatever its type.
func anyInput(name string, c arrow.Array) engine.Field {
	return engine.Field{Name: name, Type: c.DataType().String()}
}

// columnLog is the log of a column step's fit.
func columnLog(learner string, vals hyperspace.Values, m *columnStep, outputs []engine.Field, start time.Time) estimators.Log {
	return estimators.Log{
		"learner":         learner,
		"hyperparameters": map[string]any(vals),
		"features":        m.features(),
		"dropped":         slices.Clone(m.dropped),
		"outputs":         fieldNames(outputs),
		"n_rows":          m.nRows,
		"n_features":      len(m.inputs),
		"n_outputs":       len(outputs),
		"library_version": engine.Version,
		"warnings":        []string{},
		"fit_seconds":     time.Since(start).Seconds(),
	}
}

// Replaces returns the inputs and the dropped columns: the outputs (the
// kept inputs, or the renamed ones) stand in for the inputs, and nothing
// for the dropped ones.
func (m *columnStep) Replaces() []string {
	return append(m.features(), m.dropped...)
}

// Outputs returns the inputs, under their new names for rename_columns.
// (The kept columns are outputs, not merely left alone, because a frame of
// no columns cannot cross the C data interface.)
func (m *columnStep) Outputs() []engine.Field {
	out := make([]engine.Field, len(m.inputs))
	for j, in := range m.inputs {
		out[j] = engine.Field{Name: in.Name, Type: in.Type}
		if m.renamed != nil {
			out[j].Name = m.renamed[j]
		}
	}
	return out
}

// Apply returns the input columns themselves, under their new names for
// rename_columns.
func (m *columnStep) Apply(ctx context.Context, data *engine.Frame, threads int) (*engine.Frame, error) {
	cols, err := inputColumns(data, m.inputs, m.kinds)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, c := range cols {
		c.Retain()
	}
	return newFrame(fieldNames(m.Outputs()), cols)
}

// encode writes the "columns" table: one row per input (role keep or
// rename, with its new name) and per dropped column (role drop).
func (m *columnStep) encode(sp hyperspace.Space, role string) (*engine.ModelFile, error) {
	var names, kinds, roles, renamed []string
	for j, in := range m.inputs {
		nw := ""
		if m.renamed != nil {
			nw = m.renamed[j]
		}
		names, kinds, roles, renamed = append(names, in.Name), append(kinds, kindAny.String()), append(roles, role), append(renamed, nw)
	}
	for _, d := range m.dropped {
		names, kinds, roles, renamed = append(names, d), append(kinds, kindAny.String()), append(roles, roleDrop), append(renamed, "")
	}
	w := &tableWriter{}
	w.strings("name", names)
	w.strings("kind", kinds)
	w.strings("role", roles)
	w.strings("new_name", renamed)
	return w.file(&m.base, sp, m.Outputs())
}

// decodeColumnStep reads a column step's file: its table's rows of role
// inputRole are the inputs, in order, and those of role drop the dropped
// columns.
func decodeColumnStep(learner string, sp hyperspace.Space, file *engine.ModelFile, inputRole string) (*columnStep, error) {
	vals, st, tab, err := decodeHeader(learner, sp, file)
	if err != nil {
		return nil, err
	}
	r := &tableReader{learner: learner, tab: tab}
	names, kinds, roles, renamed := r.strings("name"), r.strings("kind"), r.strings("role"), r.strings("new_name")
	if r.err != nil {
		return nil, r.err
	}
	m := &columnStep{base: base{learner: learner, params: vals, inputs: []engine.Field{}, kinds: []kind{}, nRows: st.NRows}, dropped: []string{}}
	seen := map[string]bool{}
	for i, name := range names {
		switch {
		case name == "" || seen[name]:
			return nil, corrupt(learner, "column %q is empty or appears twice", name)
		case kinds[i] != kindAny.String():
			return nil, corrupt(learner, "column %q has kind %q", name, kinds[i])
		case roles[i] == roleDrop && renamed[i] == "":
			m.dropped = append(m.dropped, name)
			continue
		case roles[i] != inputRole || (inputRole == roleRename) != (renamed[i] != ""):
			return nil, corrupt(learner, "column %q has role %q and new name %q", name, roles[i], renamed[i])
		case len(m.dropped) > 0:
			return nil, corrupt(learner, "input %q follows the dropped columns", name)
		}
		seen[name] = true
		k := len(m.inputs)
		if k >= len(file.Inputs) || file.Inputs[k].Name != name || file.Inputs[k].Type == "" || len(file.Inputs[k].Categories) > 0 {
			return nil, corrupt(learner, "column %q of the table is not input %d", name, k)
		}
		m.inputs = append(m.inputs, engine.Field{Name: name, Type: file.Inputs[k].Type})
		m.kinds = append(m.kinds, kindAny)
		if inputRole == roleRename {
			m.renamed = append(m.renamed, renamed[i])
		}
	}
	for _, d := range m.dropped {
		if seen[d] {
			return nil, corrupt(learner, "column %q is both kept and dropped", d)
		}
		seen[d] = true
	}
	if len(m.inputs) != len(file.Inputs) {
		return nil, corrupt(learner, "%d inputs, of which the table describes %d", len(file.Inputs), len(m.inputs))
	}
	if inputRole == roleRename && m.renamed == nil {
		return nil, corrupt(learner, "no column is renamed")
	}
	return m, nil
}

// SelectColumns is the select_columns learner: it keeps the columns that
// its "columns" hyperparameter lists, and the target and the weight, and
// drops every other column of the training frame. Its model reads the kept
// columns other than the target and the weight (so a frame without one of
// them is refused at predict time) and returns them as they are, in place
// of themselves; it replaces the dropped columns by nothing, and a frame
// need not have them at predict time. A column the training frame did not
// have is left as it is, as a transformer's Replaces are fixed at fit.
type SelectColumns struct{}

// Name returns "select_columns".
func (SelectColumns) Name() string { return SelectColumnsName }

// Space returns SelectColumnsSpace().
func (SelectColumns) Space() hyperspace.Space { return SelectColumnsSpace() }

// Fit checks the names and finds the columns to drop.
func (SelectColumns) Fit(ctx context.Context, data *engine.Frame, spec estimators.Spec, params hyperspace.Values) (estimators.Model, estimators.Log, error) {
	vals, start, err := prepareColumns(SelectColumnsName, SelectColumnsSpace(), data, spec, params)
	if err != nil {
		return nil, nil, err
	}
	names, err := parseNames(SelectColumnsName, vals.String("columns"))
	if err != nil {
		return nil, nil, err
	}
	m := &SelectColumnsModel{columnStep{base: base{learner: SelectColumnsName, params: vals, inputs: []engine.Field{}, kinds: []kind{}, nRows: data.NumRows()}, dropped: []string{}}}
	for _, name := range names {
		c, err := requireNamed(SelectColumnsName, data, name)
		if err != nil {
			return nil, nil, err
		}
		if !isRole(name, spec) {
			m.inputs = append(m.inputs, anyInput(name, c))
			m.kinds = append(m.kinds, kindAny)
		}
	}
	if len(m.inputs) == 0 {
		return nil, nil, engine.Errorf(engine.KindValue, "%s: hyperparameter \"columns\" names only the target or the weight, which are kept anyway; name at least one other column to keep", SelectColumnsName)
	}
	for _, name := range data.Names() {
		if !slices.Contains(names, name) && !isRole(name, spec) {
			m.dropped = append(m.dropped, name)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return m, columnLog(SelectColumnsName, vals, &m.columnStep, m.Outputs(), start), nil
}

// Decode rebuilds a select_columns model from its file form.
func (SelectColumns) Decode(file *engine.ModelFile) (model estimators.Model, err error) {
	defer recoverCorrupt(SelectColumnsName, &model, &err)
	m, err := decodeColumnStep(SelectColumnsName, SelectColumnsSpace(), file, roleKeep)
	if err != nil {
		return nil, err
	}
	names, err := parseNames(SelectColumnsName, m.params.String("columns"))
	if err != nil {
		return nil, corrupt(SelectColumnsName, "%v", err)
	}
	// The list may also name the target and the weight, which are no
	// inputs.
	for _, in := range m.inputs {
		if !slices.Contains(names, in.Name) {
			return nil, corrupt(SelectColumnsName, "input %q is not among the columns to keep", in.Name)
		}
	}
	for _, d := range m.dropped {
		if slices.Contains(names, d) {
			return nil, corrupt(SelectColumnsName, "column %q is both kept and dropped", d)
		}
	}
	if len(names)-len(m.inputs) > 2 {
		return nil, corrupt(SelectColumnsName, "%d columns to keep but %d inputs", len(names), len(m.inputs))
	}
	if err := checkOutputsMatch(SelectColumnsName, m.Outputs(), file.Outputs); err != nil {
		return nil, err
	}
	return &SelectColumnsModel{*m}, nil
}

// SelectColumnsModel is a fitted select_columns.
type SelectColumnsModel struct{ columnStep }

// Kept returns the columns kept (the inputs), besides the target and the
// weight.
func (m *SelectColumnsModel) Kept() []string { return m.features() }

// Dropped returns the columns dropped.
func (m *SelectColumnsModel) Dropped() []string { return slices.Clone(m.dropped) }

// Encode returns the model file: a "columns" table with a row per kept
// column (role "keep") and then per dropped one (role "drop"), each with
// its name and kind "any" (and an empty new_name).
func (m *SelectColumnsModel) Encode() (*engine.ModelFile, error) {
	return m.encode(SelectColumnsSpace(), roleKeep)
}

// Summary returns the kept and the dropped columns.
func (m *SelectColumnsModel) Summary() map[string]any {
	return map[string]any{"features": m.features(), "kept": m.Kept(), "dropped": m.Dropped(), "n_rows": m.nRows}
}

// String describes the model.
func (m *SelectColumnsModel) String() string {
	return fmt.Sprintf("%s(keeps %d columns, drops %d)", m.learner, len(m.inputs), len(m.dropped))
}

// DropColumns is the drop_columns learner: it drops the columns that its
// "columns" hyperparameter lists (not the target or the weight). Its model
// reads the training frame's other columns, but for the target and the
// weight, and returns them as they are, in place of themselves (so a frame
// without one of them is refused at predict time); it replaces the dropped
// columns by nothing, and a frame need not have them at predict time.
type DropColumns struct{}

// Name returns "drop_columns".
func (DropColumns) Name() string { return DropColumnsName }

// Space returns DropColumnsSpace().
func (DropColumns) Space() hyperspace.Space { return DropColumnsSpace() }

// Fit checks the names.
func (DropColumns) Fit(ctx context.Context, data *engine.Frame, spec estimators.Spec, params hyperspace.Values) (estimators.Model, estimators.Log, error) {
	vals, start, err := prepareColumns(DropColumnsName, DropColumnsSpace(), data, spec, params)
	if err != nil {
		return nil, nil, err
	}
	names, err := parseNames(DropColumnsName, vals.String("columns"))
	if err != nil {
		return nil, nil, err
	}
	for _, name := range names {
		if _, err := requireNamed(DropColumnsName, data, name); err != nil {
			return nil, nil, err
		}
		if err := refuseRole(DropColumnsName, "drop", name, spec); err != nil {
			return nil, nil, err
		}
	}
	m := &DropColumnsModel{columnStep{base: base{learner: DropColumnsName, params: vals, inputs: []engine.Field{}, kinds: []kind{}, nRows: data.NumRows()}, dropped: names}}
	for i, name := range data.Names() {
		if !slices.Contains(names, name) && !isRole(name, spec) {
			m.inputs = append(m.inputs, anyInput(name, data.Columns()[i]))
			m.kinds = append(m.kinds, kindAny)
		}
	}
	if len(m.inputs) == 0 {
		return nil, nil, engine.Errorf(engine.KindValue, "%s: hyperparameter \"columns\" names every column but the target and the weight; a step must leave at least one", DropColumnsName)
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return m, columnLog(DropColumnsName, vals, &m.columnStep, m.Outputs(), start), nil
}

// Decode rebuilds a drop_columns model from its file form.
func (DropColumns) Decode(file *engine.ModelFile) (model estimators.Model, err error) {
	defer recoverCorrupt(DropColumnsName, &model, &err)
	m, err := decodeColumnStep(DropColumnsName, DropColumnsSpace(), file, roleKeep)
	if err != nil {
		return nil, err
	}
	names, err := parseNames(DropColumnsName, m.params.String("columns"))
	if err != nil {
		return nil, corrupt(DropColumnsName, "%v", err)
	}
	if !slices.Equal(names, m.dropped) {
		return nil, corrupt(DropColumnsName, "it drops %q, not the columns %q", m.dropped, names)
	}
	if err := checkOutputsMatch(DropColumnsName, m.Outputs(), file.Outputs); err != nil {
		return nil, err
	}
	return &DropColumnsModel{*m}, nil
}

// DropColumnsModel is a fitted drop_columns.
type DropColumnsModel struct{ columnStep }

// Dropped returns the columns dropped.
func (m *DropColumnsModel) Dropped() []string { return slices.Clone(m.dropped) }

// Encode returns the model file: a "columns" table with a row per kept
// column (role "keep") and then per dropped one (role "drop"), each with
// its name and kind "any" (and an empty new_name).
func (m *DropColumnsModel) Encode() (*engine.ModelFile, error) {
	return m.encode(DropColumnsSpace(), roleKeep)
}

// Kept returns the columns kept (the inputs), besides the target and the
// weight.
func (m *DropColumnsModel) Kept() []string { return m.features() }

// Summary returns the kept and the dropped columns.
func (m *DropColumnsModel) Summary() map[string]any {
	return map[string]any{"features": m.features(), "kept": m.Kept(), "dropped": m.Dropped(), "n_rows": m.nRows}
}

// String describes the model.
func (m *DropColumnsModel) String() string {
	return fmt.Sprintf("%s(drops %d columns, keeps %d)", m.learner, len(m.dropped), len(m.inputs))
}

// RenameColumns is the rename_columns learner: it renames the columns that
// its "columns" hyperparameter maps to new names, leaving their values (and
// types) as they are. Its model reads the old columns, in the frame's
// order, and outputs the same arrays under the new names in place of them;
// a new name may be the old name of another renamed column (a swap), but
// not the name of a column that stays, nor the target or the weight.
type RenameColumns struct{}

// Name returns "rename_columns".
func (RenameColumns) Name() string { return RenameColumnsName }

// Space returns RenameColumnsSpace().
func (RenameColumns) Space() hyperspace.Space { return RenameColumnsSpace() }

// Fit checks the names.
func (RenameColumns) Fit(ctx context.Context, data *engine.Frame, spec estimators.Spec, params hyperspace.Values) (estimators.Model, estimators.Log, error) {
	vals, start, err := prepareColumns(RenameColumnsName, RenameColumnsSpace(), data, spec, params)
	if err != nil {
		return nil, nil, err
	}
	renames, err := parseRenames(vals.String("columns"))
	if err != nil {
		return nil, nil, err
	}
	for _, old := range sortedKeys(renames) {
		if _, err := requireNamed(RenameColumnsName, data, old); err != nil {
			return nil, nil, err
		}
		if err := refuseRole(RenameColumnsName, "rename", old, spec); err != nil {
			return nil, nil, err
		}
	}
	m := &RenameColumnsModel{columnStep{base: base{learner: RenameColumnsName, params: vals, inputs: []engine.Field{}, kinds: []kind{}, nRows: data.NumRows()}, dropped: []string{}, renamed: []string{}}}
	for i, name := range data.Names() {
		if nw, ok := renames[name]; ok {
			m.inputs = append(m.inputs, anyInput(name, data.Columns()[i]))
			m.kinds = append(m.kinds, kindAny)
			m.renamed = append(m.renamed, nw)
		}
	}
	if err := checkOutputs(RenameColumnsName, data, m.Outputs(), m.Replaces()); err != nil {
		return nil, nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return m, columnLog(RenameColumnsName, vals, &m.columnStep, m.Outputs(), start), nil
}

// Decode rebuilds a rename_columns model from its file form.
func (RenameColumns) Decode(file *engine.ModelFile) (model estimators.Model, err error) {
	defer recoverCorrupt(RenameColumnsName, &model, &err)
	m, err := decodeColumnStep(RenameColumnsName, RenameColumnsSpace(), file, roleRename)
	if err != nil {
		return nil, err
	}
	renames, err := parseRenames(m.params.String("columns"))
	if err != nil {
		return nil, corrupt(RenameColumnsName, "%v", err)
	}
	if len(m.dropped) > 0 || len(renames) != len(m.inputs) {
		return nil, corrupt(RenameColumnsName, "%d columns renamed and %d dropped, for %d renames", len(m.inputs), len(m.dropped), len(renames))
	}
	for j, in := range m.inputs {
		if renames[in.Name] != m.renamed[j] {
			return nil, corrupt(RenameColumnsName, "input %q becomes %q, not %q", in.Name, m.renamed[j], renames[in.Name])
		}
	}
	if err := checkOutputsMatch(RenameColumnsName, m.Outputs(), file.Outputs); err != nil {
		return nil, err
	}
	return &RenameColumnsModel{*m}, nil
}

// RenameColumnsModel is a fitted rename_columns.
type RenameColumnsModel struct{ columnStep }

// Renames returns the new name of each renamed column.
func (m *RenameColumnsModel) Renames() map[string]string {
	out := make(map[string]string, len(m.inputs))
	for j, in := range m.inputs {
		out[in.Name] = m.renamed[j]
	}
	return out
}

// Encode returns the model file: a "columns" table with a row per renamed
// column: its old name, kind "any", role "rename" and new_name.
func (m *RenameColumnsModel) Encode() (*engine.ModelFile, error) {
	return m.encode(RenameColumnsSpace(), roleRename)
}

// Summary returns the old names ("features") and the new ones ("renamed").
func (m *RenameColumnsModel) Summary() map[string]any {
	return map[string]any{"features": m.features(), "renamed": slices.Clone(m.renamed), "n_rows": m.nRows}
}

// String describes the model.
func (m *RenameColumnsModel) String() string {
	return fmt.Sprintf("%s(%d columns)", m.learner, len(m.inputs))
}
