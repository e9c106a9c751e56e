package preprocess

import (
	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
)

// Compile passes the kept (or renamed) inputs on as they reach the step,
// under their new names for rename_columns: Apply returns the input
// columns themselves. The dropped columns need no code; a pipeline drops
// them through Replaces.
func (m *columnStep) Compile(g *estimators.Gen) error {
	outs := m.Outputs()
	for j, in := range m.inputs {
		v, err := g.Input(in.Name)
		if err != nil {
			return err
		}
		g.Output(outs[j].Name, v)
	}
	return nil
}

// textNotExported is the error of the text steps' Compile.
func textNotExported(learner string) error {
	return engine.Errorf(engine.KindValue, "%s is a text step: it reads each row's raw string, and exported scorers give models only the codes of known categories, so text steps cannot be exported yet", learner)
}

// Compile fails with a KindValue error: the patterns match raw strings,
// which scorers do not hand to models yet.
func (m *RegexFeaturesModel) Compile(*estimators.Gen) error {
	return textNotExported(RegexFeaturesName)
}

// Compile fails with a KindValue error: the tokens come from raw strings,
// which scorers do not hand to models yet.
func (m *HashedTokensModel) Compile(*estimators.Gen) error { return textNotExported(HashedTokensName) }

// The feature steps that compile, and the text steps, which say why they
// do not.
var (
	_ estimators.Compiler = (*StandardScalerModel)(nil)
	_ estimators.Compiler = (*MinMaxScalerModel)(nil)
	_ estimators.Compiler = (*ImputerModel)(nil)
	_ estimators.Compiler = (*OneHotModel)(nil)
	_ estimators.Compiler = (*OrdinalEncoderModel)(nil)
	_ estimators.Compiler = (*TargetEncoderModel)(nil)
	_ estimators.Compiler = (*LogTransformModel)(nil)
	_ estimators.Compiler = (*ClipModel)(nil)
	_ estimators.Compiler = (*BucketizeModel)(nil)
	_ estimators.Compiler = (*SelectColumnsModel)(nil)
	_ estimators.Compiler = (*DropColumnsModel)(nil)
	_ estimators.Compiler = (*RenameColumnsModel)(nil)
	_ estimators.Compiler = (*RegexFeaturesModel)(nil)
	_ estimators.Compiler = (*HashedTokensModel)(nil)
)
