package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/smearflow/smearflow/core/atomicfile"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/progress"
	"github.com/smearflow/smearflow/core/workflow"
)

// Version is the smearflow version recorded in provenance.
var Version = "0.1.0"

// Options configure an Engine.
type Options struct {
	// CacheDir holds the content-addressed cache; "" disables caching.
	CacheDir string
	// Workers is the number of steps run at once (default 2).
	Workers int
	// Threads is the number of goroutines for pairwise work inside a step
	// (default GOMAXPROCS).
	Threads int
	// DefaultTimeout applies to steps without their own timeout (0: none).
	DefaultTimeout time.Duration
	// Progress receives step progress; nil discards it.
	Progress *progress.Sink
	// NoReport skips report.html and plots.
	NoReport bool
	// Registry resolves plugins named by artifacts at load time (for
	// example the metric of a cached distances step); usually the registry
	// the plan was resolved with.
	Registry *plugin.Registry
}

// Engine runs plans.
type Engine struct {
	opts  Options
	cache *Cache
}

// New returns an engine.
func New(opts Options) *Engine {
	if opts.Workers <= 0 {
		opts.Workers = 2
	}
	if opts.Threads <= 0 {
		opts.Threads = runtime.GOMAXPROCS(0)
	}
	if opts.Progress == nil {
		opts.Progress = progress.New(discard{}, false, time.Hour)
	}
	e := &Engine{opts: opts}
	if opts.CacheDir != "" {
		e.cache = &Cache{Dir: opts.CacheDir}
	}
	return e
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// StepResult is one step's outcome in results.json.
type StepResult struct {
	Name          string         `json:"name"`
	Kind          string         `json:"kind"`
	Plugin        string         `json:"plugin"`
	PluginVersion string         `json:"plugin_version"`
	Origin        string         `json:"origin"`
	Inputs        []string       `json:"inputs,omitempty"`
	Key           string         `json:"cache_key"`
	Cached        bool           `json:"cached"`
	Status        string         `json:"status"` // ok, failed, skipped
	Error         string         `json:"error,omitempty"`
	Seconds       float64        `json:"seconds"`
	Outputs       []string       `json:"outputs,omitempty"`
	Summary       map[string]any `json:"summary,omitempty"`
}

// RunResult summarises a run (written to <output>/results.json).
type RunResult struct {
	Workflow  string       `json:"workflow"`
	File      string       `json:"file"`
	FileHash  string       `json:"file_sha256"`
	Seed      int64        `json:"seed"`
	Output    string       `json:"output"`
	Status    string       `json:"status"`
	Started   time.Time    `json:"started"`
	Seconds   float64      `json:"seconds"`
	Smearflow string       `json:"smearflow_version"`
	Host      HostInfo     `json:"host"`
	Steps     []StepResult `json:"steps"`
	Report    string       `json:"report,omitempty"`
}

// HostInfo records where a run happened.
type HostInfo struct {
	Hostname  string `json:"hostname"`
	GoVersion string `json:"go_version"`
	OS        string `json:"os"`
	Arch      string `json:"arch"`
	CPUs      int    `json:"cpus"`
}

func hostInfo() HostInfo {
	h, _ := os.Hostname()
	return HostInfo{Hostname: h, GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH, CPUs: runtime.NumCPU()}
}

// node is the engine's state for one step.
type node struct {
	step   *workflow.Step
	info   plugin.Info
	parts  KeyParts
	key    string
	hit    bool
	why    string // reason for a miss
	inputs []*node

	done chan struct{}
	mu   sync.Mutex
	art  Artifact
	err  error
	res  StepResult
}

// PlanLine describes one step for `runner plan`.
type PlanLine struct {
	Step   string
	Kind   string
	Plugin string
	Inputs []string
	Key    string
	Hit    bool
	Why    string
}

// Explain computes every step's cache key and says whether it would hit
// the cache, and why not.
func (e *Engine) Explain(plan *workflow.Plan) ([]PlanLine, error) {
	nodes, err := e.build(plan)
	if err != nil {
		return nil, err
	}
	out := make([]PlanLine, len(nodes))
	for i, n := range nodes {
		out[i] = PlanLine{Step: n.step.Name, Kind: string(n.step.Kind), Plugin: n.step.PluginName, Inputs: n.step.Inputs, Key: n.key, Hit: n.hit, Why: n.why}
	}
	return out, nil
}

func (e *Engine) build(plan *workflow.Plan) ([]*node, error) {
	byName := map[string]*node{}
	nodes := make([]*node, 0, len(plan.Steps))
	for _, s := range plan.Steps {
		n := &node{step: s, info: s.Plugin.Info(), done: make(chan struct{})}
		var inKeys []string
		for _, in := range s.Inputs {
			dep, ok := byName[in]
			if !ok {
				return nil, fmt.Errorf("step %q: input %q is not an earlier step of the plan", s.Name, in)
			}
			n.inputs = append(n.inputs, dep)
			inKeys = append(inKeys, dep.key)
		}
		cmp := map[string]string{}
		for _, c := range s.Compare {
			cmp[c.Name] = c.Plugin.Info().Version + " " + string(c.Params.JSON())
		}
		files, err := fileFingerprints(n.info.Params, s.Params)
		if err != nil {
			return nil, fmt.Errorf("step %q: %w", s.Name, err)
		}
		n.parts = KeyParts{
			Format: cacheFormat, Kind: string(s.Kind), Plugin: s.PluginName, PluginVersion: n.info.Version,
			Params: s.Params.JSON(), HostParams: s.HostParams.JSON(), Seed: s.Seed, Inputs: inKeys, Compare: cmp,
			Files: files, Export: s.Export && keepsMatrixForExport(s, n.info),
		}
		n.key = n.parts.Key()
		switch {
		case e.cache == nil:
			n.why = "caching disabled"
		case e.cache.Has(n.key):
			n.hit = true
		default:
			if old, ok := e.cache.Last(plan.Name, s.Name); ok {
				n.why = n.parts.Diff(old)
			} else {
				n.why = "never run"
			}
		}
		byName[s.Name] = n
		nodes = append(nodes, n)
	}
	return nodes, nil
}

// keepsMatrixForExport reports whether exporting a step changes its
// artifact: with matrix: auto, a metric with a lower-bound embedding keeps
// the full matrix only when the step is exported (see runMetric).
func keepsMatrixForExport(s *workflow.Step, info plugin.Info) bool {
	return s.Kind == plugin.KindMetric && s.HostParams["matrix"] == "auto" && info.Has(plugin.CapLowerBound)
}

// Run executes the plan. It returns the run summary (also written to
// <output>/results.json) and the first step error, if any.
func (e *Engine) Run(ctx context.Context, plan *workflow.Plan) (*RunResult, error) {
	nodes, err := e.build(plan)
	if err != nil {
		return nil, err
	}
	res := &RunResult{
		Workflow: plan.Name, File: plan.File, FileHash: plan.Hash, Seed: plan.Seed, Output: plan.Output,
		Started: time.Now(), Smearflow: Version, Host: hostInfo(),
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	sem := make(chan struct{}, e.opts.Workers)
	var wg sync.WaitGroup
	var firstErr error
	var errOnce sync.Once
	skip := func(n *node, err error, why string) {
		n.err = err
		n.res = e.baseResult(n)
		n.res.Status = "skipped"
		n.res.Error = why
	}
	for _, n := range nodes {
		wg.Add(1)
		go func(n *node) {
			defer wg.Done()
			defer close(n.done)
			for _, in := range n.inputs {
				<-in.done
				if in.err != nil {
					skip(n, errSkipped, fmt.Sprintf("input %q failed", in.step.Name))
					return
				}
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				skip(n, ctx.Err(), "run cancelled")
				return
			}
			defer func() { <-sem }()
			n.err = e.runNode(ctx, plan, n)
			if n.err != nil {
				errOnce.Do(func() {
					firstErr = n.err
					cancel()
				})
			}
		}(n)
	}
	wg.Wait()
	for _, n := range nodes {
		closeArtifact(n.art)
	}

	res.Status = "ok"
	for _, n := range nodes {
		res.Steps = append(res.Steps, n.res)
	}
	if firstErr == nil && parent.Err() != nil {
		firstErr = parent.Err()
	}
	if firstErr != nil {
		res.Status = "failed"
		if parent.Err() != nil {
			res.Status = "interrupted"
		}
	}
	if firstErr == nil && !e.opts.NoReport {
		if path, err := e.writeReport(plan, nodes, res); err != nil {
			firstErr = fmt.Errorf("report: %w", err)
			res.Status = "failed"
		} else {
			res.Report = path
		}
	}
	res.Seconds = time.Since(res.Started).Seconds()
	if err := writeJSON(filepath.Join(plan.Output, "results.json"), jsonSafe(toMap(res))); err != nil && firstErr == nil {
		firstErr = err
	}
	return res, firstErr
}

var errSkipped = errors.New("skipped because an input failed")

// closeArtifact releases what an artifact holds open (the prepared metric
// space of a distances artifact: for an external plugin, its session).
func closeArtifact(a Artifact) {
	if c, ok := a.(interface{ Close() error }); ok {
		c.Close()
	}
}

func toMap(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		// Summaries are sanitised before they get here; this is a bug.
		panic(err)
	}
	var out any
	json.Unmarshal(b, &out)
	return out
}

func (e *Engine) baseResult(n *node) StepResult {
	origin := "builtin"
	if e.opts.Registry != nil {
		if o := e.opts.Registry.Origin(n.step.Kind, n.step.PluginName); o != "" {
			origin = o
		}
	}
	return StepResult{
		Name: n.step.Name, Kind: string(n.step.Kind), Plugin: n.step.PluginName, PluginVersion: n.info.Version,
		Origin: origin, Inputs: n.step.Inputs, Key: n.key,
	}
}

// StepError is an error of one step, naming it.
type StepError struct {
	Step string
	Err  error
}

func (e *StepError) Error() string { return fmt.Sprintf("step %q: %v", e.Step, e.Err) }
func (e *StepError) Unwrap() error { return e.Err }

func (e *Engine) runNode(ctx context.Context, plan *workflow.Plan, n *node) (err error) {
	start := time.Now()
	n.res = e.baseResult(n)
	p := e.opts.Progress
	defer func() {
		n.res.Seconds = time.Since(start).Seconds()
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: %v", r)
		}
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) && n.timeout(e) > 0 {
				err = fmt.Errorf("%s plugin %s (%s) timed out: it did not finish within the step timeout %s: %w", n.step.Kind, n.step.PluginName, n.res.Origin, n.timeout(e), err)
			}
			err = &StepError{Step: n.step.Name, Err: err}
			n.res.Status = "failed"
			n.res.Error = err.Error()
			p.Fail(n.step.Name, err)
		}
	}()
	inputs := make([]Artifact, len(n.inputs))
	for i, in := range n.inputs {
		a, err := e.artifact(ctx, in)
		if err != nil {
			return err
		}
		inputs[i] = a
	}
	if n.hit {
		n.res.Cached = true
	} else {
		p.Start(n.step.Name, fmt.Sprintf("%s %s", n.step.Kind, n.step.PluginName))
		sctx := ctx
		if t := n.timeout(e); t > 0 {
			var cancel context.CancelFunc
			sctx, cancel = context.WithTimeout(ctx, t)
			defer cancel()
		}
		sctx = plugin.WithProgress(sctx, p.Func(n.step.Name))
		art, err := e.execute(sctx, n, inputs)
		if err != nil {
			return err
		}
		if err := sctx.Err(); err != nil {
			closeArtifact(art)
			return err
		}
		n.setArtifact(art)
		if e.cache != nil {
			if s, ok := art.(storable); ok {
				if err := e.cache.Put(n.key, n.parts, s.save); err != nil {
					return fmt.Errorf("cache: %w", err)
				}
			}
		}
	}
	if e.cache != nil {
		// Hits too: `runner plan` explains a miss against the last run.
		if err := e.cache.Remember(plan.Name, n.step.Name, n.parts); err != nil {
			return fmt.Errorf("cache: %w", err)
		}
	}
	art, err := e.artifact(ctx, n)
	if err != nil {
		return err
	}
	n.res.Summary, _ = jsonSafe(art.Summary()).(map[string]any)
	n.res.Seconds = time.Since(start).Seconds() // for provenance.json; updated once more at the end
	if n.step.Export {
		files, err := e.export(plan, n, art)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		n.res.Outputs = files
	}
	n.res.Status = "ok"
	if n.hit {
		p.Finish(n.step.Name, "cached")
	} else {
		p.Finish(n.step.Name, fmt.Sprintf("done in %s", time.Since(start).Round(10*time.Millisecond)))
	}
	return nil
}

func (n *node) timeout(e *Engine) time.Duration {
	if n.step.Timeout > 0 {
		return n.step.Timeout
	}
	return e.opts.DefaultTimeout
}

func (n *node) setArtifact(a Artifact) {
	n.mu.Lock()
	n.art = a
	n.mu.Unlock()
}

// artifact returns a node's artifact, loading it from the cache on first use.
func (e *Engine) artifact(ctx context.Context, n *node) (Artifact, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.art != nil {
		return n.art, nil
	}
	if !n.hit {
		return nil, fmt.Errorf("step %q has no artifact (it did not run)", n.step.Name)
	}
	var inputs []Artifact
	for _, in := range n.inputs {
		a, err := e.artifact(ctx, in)
		if err != nil {
			return nil, err
		}
		inputs = append(inputs, a)
	}
	a, err := e.load(ctx, n, inputs, e.cache.Path(n.key))
	if err != nil {
		return nil, fmt.Errorf("loading cached artifact of step %q: %w", n.step.Name, err)
	}
	n.art = a
	return a, nil
}

// storable artifacts can be saved to a cache folder.
type storable interface {
	save(dir string) error
}

// exporter artifacts write user-facing files into a folder and return
// their names.
type exporter interface {
	export(dir string) ([]string, error)
}

// export writes the artifact's files plus a provenance.json into a
// temporary folder that replaces <output>/<step>/ only when complete: a
// failed export leaves the previous folder, and no file of an earlier run
// (a ROC curve at another point, say) survives beside the new ones.
func (e *Engine) export(plan *workflow.Plan, n *node, art Artifact) ([]string, error) {
	ex, ok := art.(exporter)
	if !ok {
		return nil, fmt.Errorf("%s artifacts cannot be exported", art.Type())
	}
	dir := filepath.Join(plan.Output, safeName(n.step.Name))
	var files []string
	err := atomicfile.Dir(dir, func(tmp string) error {
		var err error
		if files, err = ex.export(tmp); err != nil {
			return err
		}
		prov := e.provenance(plan, n)
		prov["files"] = files
		return writeJSON(filepath.Join(tmp, "provenance.json"), jsonSafe(prov))
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(files)+1)
	for _, f := range files {
		out = append(out, filepath.Join(dir, f))
	}
	out = append(out, filepath.Join(dir, "provenance.json"))
	sort.Strings(out)
	return out, nil
}

// provenance describes how a step's artifact was made.
func (e *Engine) provenance(plan *workflow.Plan, n *node) map[string]any {
	var params, host any
	json.Unmarshal(n.step.Params.JSON(), &params)
	json.Unmarshal(n.step.HostParams.JSON(), &host)
	inputs := map[string]string{}
	for _, in := range n.inputs {
		inputs[in.step.Name] = in.key
	}
	return map[string]any{
		"workflow":          plan.Name,
		"workflow_file":     plan.File,
		"workflow_sha256":   plan.Hash,
		"step":              n.step.Name,
		"kind":              string(n.step.Kind),
		"plugin":            n.step.PluginName,
		"plugin_version":    n.info.Version,
		"plugin_origin":     n.res.Origin,
		"params":            params,
		"host_params":       host,
		"seed":              n.step.Seed,
		"inputs":            inputs,
		"cache_key":         n.key,
		"cached":            n.hit,
		"seconds":           n.res.Seconds,
		"written":           time.Now().UTC().Format(time.RFC3339),
		"smearflow_version": Version,
		"host":              hostInfo(),
	}
}
