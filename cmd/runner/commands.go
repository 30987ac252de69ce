package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/hashicorp/go-hclog"
	"golang.org/x/term"

	"github.com/smearflow/smearflow/core/atomicfile"
	"github.com/smearflow/smearflow/core/engine"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/plugin/grpcplugin"
	"github.com/smearflow/smearflow/core/plugin/plugindoc"
	"github.com/smearflow/smearflow/core/progress"
	"github.com/smearflow/smearflow/core/workflow"
	"github.com/smearflow/smearflow/plugins/builtin"
)

// multiFlag collects a repeatable string flag (--set).
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, " ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// session is what the workflow commands share: settings, the registry with
// built-in and external plugins, and the resolved plan.
type session struct {
	settings Settings
	reg      *plugin.Registry
	plugins  *grpcplugin.Manager
	plan     *workflow.Plan
	sink     *progress.Sink // nil with progress: none
}

func (s *session) Close() {
	if s.plugins != nil {
		s.plugins.Close()
	}
}

// openWorkflow parses flags of the workflow commands, loads settings and
// plugins, and resolves the workflow. Validation errors come back as
// *invalidError holding every positioned message.
func openWorkflow(ctx context.Context, name string, args []string, stderr io.Writer) (*session, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf := addSettingFlags(fs)
	var sets multiFlag
	fs.Var(&sets, "set", "override a parameter: STEP.PARAM=VALUE, or seed=N / output=DIR (repeatable)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: runner %s WORKFLOW.yaml [flags]\n\nflags:\n", name)
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return nil, err
	}
	switch len(pos) {
	case 0:
		return nil, &usageError{"missing WORKFLOW.yaml"}
	case 1:
	default:
		return nil, &usageError{fmt.Sprintf("one workflow file expected, got %d arguments: %s", len(pos), strings.Join(pos, " "))}
	}
	file := pos[0]
	st, err := sf.load(fs)
	if err != nil {
		return nil, err
	}
	s := &session{settings: st, sink: newSink(st, stderr)}
	if s.reg, err = builtin.Registry(); err != nil {
		return nil, err
	}
	wf, err := workflow.ParseFile(file)
	if wf == nil {
		return nil, &invalidError{err}
	}
	dirs := append(append([]string(nil), st.PluginDirs...), wf.PluginDirs...)
	if len(dirs) > 0 {
		s.plugins, err = grpcplugin.Load(ctx, s.reg, dirs, pluginOptions(st, s.logOutput(stderr)))
		if err != nil {
			return nil, err
		}
	}
	plan, err := wf.Resolve(s.reg, sets)
	if err != nil {
		s.Close()
		return nil, &invalidError{err}
	}
	s.plan = plan
	return s, nil
}

// parseInterleaved parses flags that may come before, between or after
// positional arguments (runner run --no-cache wf.yaml --set a.b=1) and
// returns the positional arguments.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, &usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// newSink returns the progress display the settings ask for (nil for
// none): a redrawn bar (cut to the terminal width) or plain lines.
func newSink(st Settings, stderr io.Writer) *progress.Sink {
	tty, width := false, 0
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		tty = true
		width, _, _ = term.GetSize(int(f.Fd()))
	}
	switch st.Progress {
	case "none":
		return nil
	case "bar":
		tty = true
	case "plain":
		tty = false
	}
	sink := progress.New(stderr, tty, 0)
	sink.SetWidth(width)
	return sink
}

// logOutput is where plugin logs go: through the progress display, so
// that a log line never lands on the bar line.
func (s *session) logOutput(stderr io.Writer) io.Writer {
	if s.sink != nil {
		return s.sink
	}
	return stderr
}

func (s *session) engine() *engine.Engine {
	timeout, _ := s.settings.timeout()
	if mb := s.settings.MemoryMB; mb > 0 {
		debug.SetMemoryLimit(int64(mb) << 20)
	}
	cache := s.settings.CacheDir
	if s.settings.NoCache {
		cache = ""
	}
	return engine.New(engine.Options{
		CacheDir: cache, Workers: s.settings.Workers, Threads: s.settings.Threads,
		DefaultTimeout: timeout, Progress: s.sink, NoReport: s.settings.NoReport, Registry: s.reg,
	})
}

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	s, err := openWorkflow(ctx, "run", args, stderr)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := s.engine().Run(ctx, s.plan)
	if res != nil {
		printRunSummary(stdout, res)
	}
	return err
}

func printRunSummary(w io.Writer, res *engine.RunResult) {
	cached := 0
	for _, st := range res.Steps {
		if st.Cached {
			cached++
		}
	}
	fmt.Fprintf(w, "%s: %s in %.1fs (%d steps, %d from cache)\n", res.Workflow, res.Status, res.Seconds, len(res.Steps), cached)
	for _, st := range res.Steps {
		if line := keyResult(st); line != "" {
			fmt.Fprintf(w, "  %-20s %s\n", st.Name, line)
		}
	}
	fmt.Fprintf(w, "results: %s\n", filepath.Join(res.Output, "results.json"))
	if res.Report != "" {
		fmt.Fprintf(w, "report:  %s\n", res.Report)
	}
}

// keyResult is the one-line headline of a step's summary, or its status
// and error when it did not succeed.
func keyResult(st engine.StepResult) string {
	if st.Status != "ok" {
		return st.Status + ": " + st.Error
	}
	var s map[string]any
	b, _ := json.Marshal(st.Summary) // summaries are JSON-safe; normalise Go types to JSON ones
	json.Unmarshal(b, &s)
	switch st.Kind {
	case "reader":
		return fmt.Sprintf("%v jets (%v quark, %v gluon), %s particles/jet", s["jets"], s["quarks"], s["gluons"], num("%.1f", s["mean_multiplicity"]))
	case "metric":
		if v, ok := s["median_nn_distance"]; ok {
			return fmt.Sprintf("%s on %v jets, median nearest-neighbour distance %s", st.Plugin, s["jets"], num("%.4g", v))
		}
		return fmt.Sprintf("%s on %v jets", st.Plugin, s["jets"])
	case "smearer":
		axis, _ := s["axis"].(string)
		line := fmt.Sprintf("best AUC %s at %s = %s", num("%.4f", s["best_auc"]), axis, num("%.4g", s["best_"+axis]))
		if g, ok := s["best_eps_gev"]; ok {
			line += fmt.Sprintf(" (%s GeV)", num("%.3g", g))
		}
		if r, ok := s["best_k_radius"]; ok {
			line += fmt.Sprintf(" (median k-th-neighbour distance %s)", num("%.4g", r))
		}
		if _, biased := s["biased"]; biased {
			line += " [biased: leave-one-out]"
		}
		return line
	case "fitter":
		if fits, ok := s["fits"].([]any); ok && len(fits) > 0 {
			f, _ := fits[0].(map[string]any)
			line := fmt.Sprintf("%v fit of %v values: %v", f["family"], s["n"], compact(f["params"]))
			if sl, ok := s["scaling_median_slope"]; ok {
				line += fmt.Sprintf("; median NN ∝ N^%s", num("%.3f", sl))
			}
			return line
		}
	case "observables":
		if cols, ok := s["columns"].([]any); ok {
			return fmt.Sprintf("%v jets × %d columns", s["rows"], len(cols))
		}
	case "tagger":
		line := "test AUC " + num("%.4f", s["auc_mean"])
		if sd := s["auc_std"]; sd != nil { // null with one seed
			line += " ± " + num("%.4f", sd)
		}
		line += fmt.Sprintf(" over %v seeds", s["seeds"])
		if v, ok := s["best_single_variable"]; ok {
			line += fmt.Sprintf(" (best single variable %v: %s)", v, num("%.4f", s["best_single_auc"]))
		}
		return line
	case "explainer":
		var names []string
		if top, ok := s["top10"].([]any); ok {
			for i, e := range top {
				if m, ok := e.(map[string]any); ok && i < 5 {
					names = append(names, fmt.Sprint(m["feature"]))
				}
			}
		}
		line := "most relevant: " + strings.Join(names, ", ")
		if ks, ok := s["reduced_k"].([]any); ok {
			aucs, _ := s["reduced_auc"].([]any)
			for i := range ks {
				if i < len(aucs) && fmt.Sprint(ks[i]) == "5" {
					line += fmt.Sprintf("; top 5 retrained: AUC %s (all inputs %s)", num("%.4f", aucs[i]), num("%.4f", s["full_auc"]))
				}
			}
		}
		return line
	}
	return ""
}

// num formats a summary number; a non-finite one arrives as JSON null
// (NaN) or the string "inf"/"-inf" and is printed as such.
func num(format string, v any) string {
	switch x := v.(type) {
	case float64:
		return fmt.Sprintf(format, x)
	case nil:
		return "NaN"
	}
	return fmt.Sprint(v)
}

func compact(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Sprint(v)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		if f, ok := m[k].(float64); ok {
			parts = append(parts, fmt.Sprintf("%s=%.4g", k, f))
		} else {
			parts = append(parts, fmt.Sprintf("%s=%v", k, m[k]))
		}
	}
	return strings.Join(parts, " ")
}

func cmdValidate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	s, err := openWorkflow(ctx, "validate", args, stderr)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintf(stdout, "%s: valid (%d steps)\n", s.plan.File, len(s.plan.Steps))
	return nil
}

func cmdPlan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	s, err := openWorkflow(ctx, "plan", args, stderr)
	if err != nil {
		return err
	}
	defer s.Close()
	lines, err := s.engine().Explain(s.plan)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "workflow %s (seed %d) → %s\n", s.plan.Name, s.plan.Seed, s.plan.Output)
	tw := tabwriter.NewWriter(stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "STEP\tKIND\tPLUGIN\tINPUTS\tCACHE\tKEY\tWHY")
	for _, l := range lines {
		state := "miss"
		if l.Hit {
			state = "hit"
		}
		in := strings.Join(l.Inputs, ",")
		if in == "" {
			in = "—"
		}
		why := l.Why
		if l.Hit {
			why = "—"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", l.Step, l.Kind, l.Plugin, in, state, l.Key[:12], why)
	}
	return tw.Flush()
}

func cmdClean(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("clean", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf := addSettingFlags(fs)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return &usageError{fmt.Sprintf("clean takes no arguments, got %s (the cache folder is --cache-dir)", strings.Join(pos, " "))}
	}
	st, err := sf.load(fs)
	if err != nil {
		return err
	}
	c := &engine.Cache{Dir: st.CacheDir}
	if err := c.Clean(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "removed the cache %s\n", st.CacheDir)
	return nil
}

// pluginRegistry returns built-ins plus external plugins from the
// settings' plugin folders, and the positional arguments among args.
func pluginRegistry(ctx context.Context, args []string, stderr io.Writer, name string) (*plugin.Registry, *grpcplugin.Manager, []string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf := addSettingFlags(fs)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return nil, nil, nil, err
	}
	st, err := sf.load(fs)
	if err != nil {
		return nil, nil, nil, err
	}
	reg, err := builtin.Registry()
	if err != nil {
		return nil, nil, nil, err
	}
	var mgr *grpcplugin.Manager
	if len(st.PluginDirs) > 0 {
		if mgr, err = grpcplugin.Load(ctx, reg, st.PluginDirs, pluginOptions(st, stderr)); err != nil {
			return nil, nil, nil, err
		}
	}
	return reg, mgr, pos, nil
}

func cmdPlugins(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub := "list"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	reg, mgr, args, err := pluginRegistry(ctx, args, stderr, "plugins "+sub)
	if err != nil {
		return err
	}
	if mgr != nil {
		defer mgr.Close()
	}
	if len(args) > 1 {
		return &usageError{fmt.Sprintf("plugins %s: one argument expected, got %s", sub, strings.Join(args, " "))}
	}
	pos := ""
	if len(args) == 1 {
		pos = args[0]
	}
	switch sub {
	case "list":
		tw := tabwriter.NewWriter(stdout, 0, 2, 2, ' ', 0)
		fmt.Fprintln(tw, "KIND\tNAME\tVERSION\tFROM\tSUMMARY")
		for _, p := range reg.All() {
			i := p.Info()
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", i.Kind, i.Name, i.Version, reg.Origin(i.Kind, i.Name), i.Summary)
		}
		return tw.Flush()
	case "describe":
		p, err := lookupID(reg, pos)
		if err != nil {
			return err
		}
		i := p.Info()
		plugindoc.Text(stdout, i, reg.Origin(i.Kind, i.Name))
		return nil
	case "docs":
		if pos == "" {
			for _, p := range reg.All() {
				i := p.Info()
				plugindoc.Markdown(stdout, i, reg.Origin(i.Kind, i.Name))
				fmt.Fprintln(stdout)
			}
			return nil
		}
		return writeDocs(reg, pos, stdout)
	}
	return &usageError{fmt.Sprintf("unknown plugins subcommand %q (want list, describe or docs)", sub)}
}

func lookupID(reg *plugin.Registry, id string) (plugin.Plugin, error) {
	kind, name, ok := strings.Cut(id, "/")
	if !ok {
		return nil, &usageError{fmt.Sprintf("want KIND/NAME (e.g. metric/semd), got %q", id)}
	}
	if _, known := plugin.KindSpecs[plugin.Kind(kind)]; !known {
		var kinds []string
		for _, k := range plugin.Kinds {
			kinds = append(kinds, string(k))
		}
		return nil, &usageError{fmt.Sprintf("unknown plugin kind %q (kinds: %s)", kind, strings.Join(kinds, ", "))}
	}
	return reg.Lookup(plugin.Kind(kind), name)
}

// writeDocs writes one Markdown page per plugin plus an index into dir.
func writeDocs(reg *plugin.Registry, dir string, stdout io.Writer) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	link := func(i plugin.Info) string { return string(i.Kind) + "-" + i.Name + ".md" }
	var b strings.Builder
	plugindoc.Index(&b, reg, link)
	if err := atomicfile.WriteBytes(filepath.Join(dir, "README.md"), []byte(b.String())); err != nil {
		return err
	}
	n := 0
	for _, p := range reg.All() {
		i := p.Info()
		var pb strings.Builder
		plugindoc.Markdown(&pb, i, reg.Origin(i.Kind, i.Name))
		if err := atomicfile.WriteBytes(filepath.Join(dir, link(i)), []byte(pb.String())); err != nil {
			return err
		}
		n++
	}
	fmt.Fprintf(stdout, "wrote %d plugin pages and README.md to %s\n", n, dir)
	return nil
}

func cmdPlugin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) < 2 || args[0] != "serve" {
		return &usageError{"usage: runner plugin serve KIND/NAME [KIND/NAME...]"}
	}
	reg, err := builtin.Registry()
	if err != nil {
		return err
	}
	var ps []plugin.Plugin
	for _, id := range args[1:] {
		p, err := lookupID(reg, id)
		if err != nil {
			return err
		}
		ps = append(ps, p)
	}
	// go-plugin refuses to serve (with a message) when not started by a host.
	grpcplugin.Serve(ps...)
	return nil
}

// pluginOptions configures external plugin processes from the settings;
// their logs go to logs.
func pluginOptions(st Settings, logs io.Writer) grpcplugin.Options {
	return grpcplugin.Options{Logger: hclog.New(&hclog.LoggerOptions{
		Name: "plugin", Level: hclog.LevelFromString(st.LogLevel), Output: logs,
	})}
}
