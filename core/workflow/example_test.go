package workflow_test

import (
	"fmt"
	"strings"

	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/workflow"
)

// described is a plugin that only describes itself, which is all a
// workflow needs to be checked and planned.
type described plugin.Info

func (d described) Info() plugin.Info { return plugin.Info(d) }

func Example() {
	reg, err := plugin.NewRegistry(
		described{Kind: plugin.KindReader, Name: "generator", Version: "0.1.0", APIVersion: plugin.APIVersion,
			Params: plugin.Spec{
				{Name: "quarks", Type: plugin.TypeInt, Default: int64(1000), Min: plugin.Bound(1)},
				{Name: "pt", Type: plugin.TypeFloat, Default: 500.0, Unit: "GeV"},
			}},
		described{Kind: plugin.KindMetric, Name: "semd", Version: "0.1.0", APIVersion: plugin.APIVersion,
			Params: plugin.Spec{{Name: "beta", Type: plugin.TypeFloat, Default: 1.0, Min: plugin.Bound(0)}}},
		described{Kind: plugin.KindSmearer, Name: "knn", Version: "0.1.0", APIVersion: plugin.APIVersion,
			Params: plugin.Spec{{Name: "k", Type: plugin.TypeIntList, Default: []int64{1}, Min: plugin.Bound(1)}}},
	)
	if err != nil {
		panic(err)
	}
	src := `
name: demo
seed: 1
steps:
  jets:
    reader: generator
    with: {quarks: 500}
  distances:
    metric: semd
    input: jets
    scan: {beta: [0.5, 1]}
  knn:
    smearer: knn
    input: distances
    with: {k: [1, 5, 25]}
`
	f, err := workflow.Parse("demo.yaml", []byte(src))
	if err != nil {
		panic(err)
	}
	plan, err := f.Resolve(reg, []string{"jets.pt=1000"})
	if err != nil {
		panic(err)
	}
	for _, s := range plan.Steps {
		fmt.Printf("%-20s %-17s <- %-20s %s\n", s.Name, string(s.Kind)+"/"+s.PluginName, strings.Join(s.Inputs, ","), s.Params.JSON())
	}
	knn := plan.Step("knn@beta=1")
	fmt.Println(knn.HostParams.String("reference"), knn.HostParams.Int("folds"))
	fmt.Println(knn.Seed == workflow.DeriveSeed(1, "knn"))

	// Every problem is reported at once, with its position.
	bad := strings.NewReplacer("beta: [0.5, 1]", "beta: [0.5, -1]", "input: distances", "input: distance").Replace(src)
	f, _ = workflow.Parse("demo.yaml", []byte(bad))
	_, err = f.Resolve(reg, []string{"knn.kk=3"})
	fmt.Println(err)
	// Output:
	// jets                 reader/generator  <-                      {"pt":1000,"quarks":500}
	// distances@beta=0.5   metric/semd       <- jets                 {"beta":0.5}
	// distances@beta=1     metric/semd       <- jets                 {"beta":1}
	// knn@beta=0.5         smearer/knn       <- distances@beta=0.5   {"k":[1,5,25]}
	// knn@beta=1           smearer/knn       <- distances@beta=1     {"k":[1,5,25]}
	// kfold 10
	// true
	// demo.yaml:11:24: step "distances": scan of "beta": value -1 is below the minimum 0
	// demo.yaml:14:12: step "knn": no step named "distance" (did you mean "distances"?)
	// --set knn.kk=3: step "knn": parameter "kk": unknown parameter (did you mean "k"?)
}
