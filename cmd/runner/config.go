package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/v2"
)

// Settings are the runner's own settings (not the workflow's). They are
// layered with koanf: built-in defaults, then a config file, then
// SMEARFLOW_* environment variables, then command-line flags.
type Settings struct {
	CacheDir   string   `koanf:"cache_dir"`
	Workers    int      `koanf:"workers"`
	Threads    int      `koanf:"threads"`
	PluginDirs []string `koanf:"plugin_dirs"`
	LogLevel   string   `koanf:"log_level"`
	Timeout    string   `koanf:"timeout"`
	NoCache    bool     `koanf:"no_cache"`
	NoReport   bool     `koanf:"no_report"`
	Progress   string   `koanf:"progress"`
	MemoryMB   int      `koanf:"memory_limit_mb"`
}

// settingDocs documents every setting (flag help, `runner help settings`).
var settingDocs = []struct{ key, doc string }{
	{"cache_dir", "folder of the content-addressed artifact cache"},
	{"workers", "steps run at the same time"},
	{"threads", "goroutines for pairwise distance work inside a step (0 = all cores)"},
	{"plugin_dirs", "extra folders searched for smearflow-plugin-* binaries (env: separated by ':')"},
	{"log_level", "plugin log level: trace, debug, info, warn, error"},
	{"timeout", "default per-step timeout as a Go duration (e.g. 30m; 0 = none)"},
	{"no_cache", "neither read nor write the cache"},
	{"no_report", "skip report.html and plots"},
	{"progress", "progress display: auto (bar on a terminal), bar, plain, none"},
	{"memory_limit_mb", "soft memory limit of the runner in MiB (Go's GOMEMLIMIT; 0 = none); keeps the garbage collector ahead of large studies"},
}

func defaultSettings() map[string]any {
	cache := ".smearflow-cache"
	if d, err := os.UserCacheDir(); err == nil {
		cache = filepath.Join(d, "smearflow")
	}
	return map[string]any{
		"cache_dir": cache, "workers": 2, "threads": 0, "plugin_dirs": []string{},
		"log_level": "warn", "timeout": "0", "no_cache": false, "no_report": false, "progress": "auto", "memory_limit_mb": 0,
	}
}

// settingFlags registers the setting flags on fs; only flags the user sets
// override lower layers.
type settingFlags struct {
	config string
	values map[string]*string
}

func addSettingFlags(fs *flag.FlagSet) *settingFlags {
	sf := &settingFlags{values: map[string]*string{}}
	fs.StringVar(&sf.config, "config", "", "runner config file (YAML); default $SMEARFLOW_CONFIG or ./smearflow.yaml if present")
	defs := defaultSettings()
	for _, s := range settingDocs {
		flagName := strings.ReplaceAll(s.key, "_", "-")
		_, isBool := defs[s.key].(bool)
		v := &settingValue{isBool: isBool}
		fs.Var(v, flagName, s.doc)
		sf.values[s.key] = &v.s
	}
	return sf
}

// settingValue is a string flag; boolean settings may be given without a
// value (--no-cache).
type settingValue struct {
	s      string
	isBool bool
}

func (v *settingValue) String() string     { return v.s }
func (v *settingValue) Set(s string) error { v.s = s; return nil }
func (v *settingValue) IsBoolFlag() bool   { return v.isBool }

// load layers defaults, config file, environment and flags.
func (sf *settingFlags) load(fs *flag.FlagSet) (Settings, error) {
	k := koanf.New(".")
	if err := k.Load(confmap.Provider(defaultSettings(), "."), nil); err != nil {
		return Settings{}, err
	}
	cfg := sf.config
	if cfg == "" {
		cfg = os.Getenv("SMEARFLOW_CONFIG")
	}
	if cfg == "" {
		if _, err := os.Stat("smearflow.yaml"); err == nil {
			cfg = "smearflow.yaml"
		}
	}
	if cfg != "" {
		if err := k.Load(file.Provider(cfg), yaml.Parser()); err != nil {
			return Settings{}, fmt.Errorf("config file %s: %w", cfg, err)
		}
		for _, key := range k.Keys() {
			if !knownSetting(key) {
				return Settings{}, fmt.Errorf("config file %s: unknown setting %q", cfg, key)
			}
		}
	}
	if err := k.Load(env.Provider(".", env.Opt{
		Prefix: "SMEARFLOW_",
		TransformFunc: func(key, v string) (string, any) {
			key = strings.ToLower(strings.TrimPrefix(key, "SMEARFLOW_"))
			if !knownSetting(key) {
				return "", nil // SMEARFLOW_CONFIG, SMEARFLOW_SHARED...
			}
			if key == "plugin_dirs" {
				return key, filepath.SplitList(v)
			}
			return key, v
		},
	}), nil); err != nil {
		return Settings{}, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	over := map[string]any{}
	for key, v := range sf.values {
		if set[strings.ReplaceAll(key, "_", "-")] {
			if key == "plugin_dirs" {
				over[key] = filepath.SplitList(*v)
			} else {
				over[key] = *v
			}
		}
	}
	if err := k.Load(confmap.Provider(over, "."), nil); err != nil {
		return Settings{}, err
	}
	var s Settings
	if err := k.UnmarshalWithConf("", &s, koanf.UnmarshalConf{Tag: "koanf", FlatPaths: false}); err != nil {
		return Settings{}, fmt.Errorf("settings: %w", err)
	}
	if s.MemoryMB < 0 {
		return Settings{}, fmt.Errorf("settings: memory_limit_mb must be 0 (none) or positive, got %d", s.MemoryMB)
	}
	if s.Workers < 1 {
		return Settings{}, fmt.Errorf("settings: workers must be at least 1, got %d", s.Workers)
	}
	if s.Threads < 0 {
		return Settings{}, fmt.Errorf("settings: threads must be 0 (all cores) or positive, got %d", s.Threads)
	}
	if _, err := s.timeout(); err != nil {
		return Settings{}, err
	}
	switch strings.ToLower(s.LogLevel) {
	case "trace", "debug", "info", "warn", "error":
	default:
		return Settings{}, fmt.Errorf("settings: log_level must be trace, debug, info, warn or error, got %q", s.LogLevel)
	}
	switch s.Progress {
	case "auto", "bar", "plain", "none":
	default:
		return Settings{}, fmt.Errorf("settings: progress must be auto, bar, plain or none, got %q", s.Progress)
	}
	return s, nil
}

func (s Settings) timeout() (time.Duration, error) {
	if s.Timeout == "" || s.Timeout == "0" {
		return 0, nil
	}
	d, err := time.ParseDuration(s.Timeout)
	if err != nil {
		return 0, fmt.Errorf("settings: timeout %q is not a duration like 30m", s.Timeout)
	}
	if d < 0 {
		return 0, fmt.Errorf("settings: timeout %q is negative (0 = none)", s.Timeout)
	}
	return d, nil
}

func knownSetting(key string) bool {
	for _, s := range settingDocs {
		if s.key == key {
			return true
		}
	}
	return false
}
