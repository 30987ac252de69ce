package grpcplugin

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"github.com/smearflow/smearflow/core/plugin"
)

// BinaryPrefix starts the file name of every external plugin binary.
const BinaryPrefix = "smearflow-plugin-"

// Options configure how plugin processes are launched and called. The
// zero value is usable.
type Options struct {
	// Logger receives go-plugin's messages and the plugin's own log lines
	// (re-logged at their level under the name of the binary); its level is
	// passed to the plugin (EnvLogLevel). Default: warnings and errors to
	// stderr.
	Logger hclog.Logger
	// StartTimeout bounds the start of the process, the handshake and the
	// catalog. Default 30 s.
	StartTimeout time.Duration
	// KillGrace is how long a call waits after the caller's deadline for
	// the plugin to give up before the process is killed. Default 500 ms.
	KillGrace time.Duration
	// CallTimeout bounds calls of interface methods that take no context
	// (Smearer.Plan, Space.Close). Default 1 min.
	CallTimeout time.Duration
	// StderrLines is how many of the last stderr lines a crash report
	// quotes. Default 40.
	StderrLines int
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = hclog.New(&hclog.LoggerOptions{Name: "plugin", Level: hclog.Warn, Output: os.Stderr})
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = 30 * time.Second
	}
	if o.KillGrace <= 0 {
		o.KillGrace = DefaultKillGrace
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = DefaultCallTimeout
	}
	if o.StderrLines <= 0 {
		o.StderrLines = 40
	}
	return o
}

// Client is one running plugin process.
type Client struct {
	path    string // the binary, or the command line when it has arguments
	cmd     *exec.Cmd
	pc      *goplugin.Client
	remote  *Remote
	plugins []plugin.Plugin
	stderr  *tailWriter
	stopCtx func() bool // releases the context watch

	mu      sync.Mutex
	stopped string // why the host stopped the process ("" while running)
}

// Path returns the binary of the process (with its arguments, if any).
func (c *Client) Path() string { return c.path }

// Plugins returns the proxies of the plugins the process serves.
func (c *Client) Plugins() []plugin.Plugin { return c.plugins }

// Pid returns the process id.
func (c *Client) Pid() int { return c.cmd.Process.Pid }

// Exited reports whether the process has ended (for any reason).
func (c *Client) Exited() bool { return c.pc.Exited() }

// Stderr returns the last lines the process wrote to stderr.
func (c *Client) Stderr() string { return c.stderr.String() }

// Kill ends the process (gracefully if it answers, otherwise by SIGKILL
// after two seconds) and waits for it. Calls made afterwards fail with an
// error saying the plugin is not running. Kill may be called many times.
func (c *Client) Kill() { c.stop("it was shut down by the host") }

func (c *Client) stop(reason string) {
	c.mu.Lock()
	if c.stopped == "" {
		c.stopped = reason
	}
	c.mu.Unlock()
	if c.stopCtx != nil {
		c.stopCtx()
	}
	c.pc.Kill()
}

// killHung kills the process at once: a call ignored its deadline, so the
// graceful shutdown would only wait for it.
func (c *Client) killHung(reason string) {
	c.mu.Lock()
	if c.stopped == "" {
		c.stopped = reason
	}
	c.mu.Unlock()
	_ = c.cmd.Process.Kill()
	c.pc.Kill()
}

// usable returns an error if the process can no longer serve calls.
func (c *Client) usable(id string) error {
	c.mu.Lock()
	stopped := c.stopped
	c.mu.Unlock()
	if stopped != "" {
		return fmt.Errorf("plugin %s (%s) is not running: %s", id, c.path, stopped)
	}
	if c.pc.Exited() {
		return c.exitError(id, "")
	}
	return nil
}

// waitExit waits up to d for the process to end and reports whether it did.
func (c *Client) waitExit(d time.Duration) bool {
	deadline := time.Now().Add(d)
	for !c.pc.Exited() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// exitError describes the ended process; call it once Exited is true.
func (c *Client) exitError(id, method string) error {
	c.mu.Lock()
	stopped := c.stopped
	c.mu.Unlock()
	if stopped != "" {
		return fmt.Errorf("plugin %s (%s) is not running: %s", id, c.path, stopped)
	}
	state := ""
	if ps := c.cmd.ProcessState; ps != nil { // set before go-plugin marks the client exited
		state = ps.String()
	}
	return &ExitError{Plugin: id, Path: c.path, Method: method, State: state, Stderr: c.stderr.String()}
}

// Launch starts the plugin binary at path; see LaunchCommand.
func Launch(ctx context.Context, path string, opts Options) ([]plugin.Plugin, *Client, error) {
	return LaunchCommand(ctx, exec.Command(path), opts)
}

// LaunchCommand starts a plugin process from an unstarted command (for
// example the runner itself: exec.Command(exe, "plugin", "serve",
// "metric/semd")), performs the go-plugin handshake (gRPC only), reads
// its catalog and returns one proxy per plugin it serves, plus the Client
// that owns the process. Errors name the binary: a process that exits
// during start-up, prints something other than the handshake on stdout,
// speaks another plugin API version or lists an invalid plugin.
//
// The process lives until Client.Kill, until ctx is done, or until
// CleanupClients; on Linux it is also killed if the host dies (parent
// death signal). The client is managed by go-plugin, so CleanupClients
// kills it too.
func LaunchCommand(ctx context.Context, cmd *exec.Cmd, opts Options) ([]plugin.Plugin, *Client, error) {
	opts = opts.withDefaults()
	path := cmd.Path
	if len(cmd.Args) > 1 {
		path += " " + strings.Join(cmd.Args[1:], " ")
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("plugin binary %s: not started: %w", path, err)
	}
	tail := newTailWriter(opts.StderrLines)
	setParentDeathSignal(cmd)
	cmd.Env = append(cmd.Env, EnvLogLevel+"="+logLevelName(opts.Logger))
	pc := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: map[int]goplugin.PluginSet{plugin.APIVersion: PluginSet()},
		Cmd:              cmd,
		Managed:          true,
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		GRPCDialOptions:  dialOptions(),
		Logger:           opts.Logger,
		StartTimeout:     opts.StartTimeout,
		Stderr:           tail,
		SyncStderr:       tail,
		SyncStdout:       tail,
	})
	c := &Client{path: path, cmd: cmd, pc: pc, stderr: tail}

	rpc, err := startClient(ctx, pc)
	if err != nil {
		pc.Kill()
		return nil, nil, c.startError(err)
	}
	raw, err := rpc.Dispense(PluginName)
	if err != nil {
		pc.Kill()
		return nil, nil, fmt.Errorf("plugin binary %s: %w", path, err)
	}
	remote, ok := raw.(*Remote)
	if !ok {
		pc.Kill()
		return nil, nil, fmt.Errorf("plugin binary %s: dispensed %T, not a smearflow service", path, raw)
	}
	remote.origin, remote.proc = path, c
	remote.killGrace, remote.callTimeout = opts.KillGrace, opts.CallTimeout
	c.remote = remote

	cctx, cancel := context.WithTimeout(ctx, opts.StartTimeout)
	ps, err := remote.Plugins(cctx)
	cancel()
	if err != nil {
		if errors.As(err, new(transportError)) && c.waitExit(2*time.Second) {
			err = c.startError(errors.New("plugin exited before we could connect"))
		}
		pc.Kill()
		return nil, nil, err
	}
	c.plugins = ps
	c.stopCtx = context.AfterFunc(ctx, func() { c.stop("its context was canceled") })
	return ps, c, nil
}

// startClient runs go-plugin's (blocking, context-free) start under ctx.
func startClient(ctx context.Context, pc *goplugin.Client) (goplugin.ClientProtocol, error) {
	type result struct {
		rpc goplugin.ClientProtocol
		err error
	}
	ch := make(chan result, 1)
	go func() {
		rpc, err := pc.Client()
		ch <- result{rpc, err}
	}()
	select {
	case r := <-ch:
		return r.rpc, r.err
	case <-ctx.Done():
		pc.Kill()
		<-ch
		return nil, ctx.Err()
	}
}

var versionMismatch = regexp.MustCompile(`(?i)incompatible API version with plugin\. Plugin version: (\d+)`)

// startError turns go-plugin's start-up errors into messages naming the
// binary and saying what to do.
func (c *Client) startError(err error) error {
	msg := err.Error()
	stderr := ""
	if c.cmd.Process != nil { // it started: let it finish writing stderr
		c.waitExit(time.Second)
	}
	if s := c.stderr.String(); s != "" {
		stderr = "; last lines of its stderr:\n    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
	}
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("plugin binary %s: start interrupted: %w", c.path, err)
	case versionMismatch.MatchString(msg):
		v := versionMismatch.FindStringSubmatch(msg)[1]
		return fmt.Errorf("plugin binary %s speaks plugin API version %s, this runner speaks %d: rebuild it against the matching smearflow SDK", c.path, v, plugin.APIVersion)
	case strings.Contains(msg, "Unrecognized remote plugin message") && !strings.Contains(msg, "Failed to read any lines"):
		return fmt.Errorf("plugin binary %s: handshake failed: it must print nothing on stdout before calling grpcplugin.Serve (is it a smearflow plugin?): %s%s", c.path, firstLine(msg), stderr)
	case strings.Contains(msg, "exited before we could connect"), strings.Contains(msg, "Failed to read any lines"):
		state := ""
		if c.pc.Exited() && c.cmd.ProcessState != nil {
			state = " (" + c.cmd.ProcessState.String() + ")"
		}
		return fmt.Errorf("plugin binary %s exited during start-up%s%s", c.path, state, stderr)
	case strings.Contains(msg, "unsupported plugin protocol"):
		return fmt.Errorf("plugin binary %s does not speak gRPC (%s): smearflow plugins must call grpcplugin.Serve", c.path, msg)
	}
	return fmt.Errorf("plugin binary %s: start failed: %w%s", c.path, err, stderr)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func logLevelName(l hclog.Logger) string {
	switch l.GetLevel() {
	case hclog.Trace:
		return "trace"
	case hclog.Debug:
		return "debug"
	case hclog.Info:
		return "info"
	case hclog.Warn:
		return "warn"
	}
	// A host that shows only errors (or nothing) still gets the plugin's
	// warnings in crash reports, which quote its stderr.
	return "warn"
}

// CleanupClients kills every plugin process started by this package (and
// any other go-plugin managed client). A host should defer it in main, and
// also cancel the context given to Load on SIGINT/SIGTERM (for example
// with signal.NotifyContext): plugin processes ignore SIGINT, so that a
// Ctrl-C reaches only the host, which then shuts them down. It must be
// called only once, as the process exits.
func CleanupClients() { goplugin.CleanupClients() }

// -------------------------------------------------------------- discovery

// Discover lists the executables named smearflow-plugin-* in the given
// directories, in directory order then by name. Empty directory names are
// skipped; a directory that cannot be read, or a file with the plugin
// prefix that is not an executable regular file, is an error naming it.
func Discover(dirs ...string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, dir := range dirs {
		if dir == "" {
			continue
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, fmt.Errorf("plugin directory %s: %w", dir, err)
		}
		entries, err := os.ReadDir(abs)
		if err != nil {
			return nil, fmt.Errorf("plugin directory %s: %w", dir, err)
		}
		sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
		for _, e := range entries {
			name := e.Name()
			if !strings.HasPrefix(name, BinaryPrefix) || len(name) == len(BinaryPrefix) {
				continue
			}
			path := filepath.Join(abs, name)
			st, err := os.Stat(path) // follows symlinks
			if err != nil {
				return nil, fmt.Errorf("plugin %s: %w", path, err)
			}
			if st.IsDir() {
				continue
			}
			if !st.Mode().IsRegular() || st.Mode().Perm()&0o111 == 0 {
				return nil, fmt.Errorf("plugin %s is named like a plugin binary but is not an executable file (mode %v)", path, st.Mode())
			}
			if !seen[path] {
				seen[path] = true
				out = append(out, path)
			}
		}
	}
	return out, nil
}

// ---------------------------------------------------------------- manager

// Manager owns the plugin processes that Load started.
type Manager struct {
	mu      sync.Mutex
	clients []*Client
}

// Load discovers the plugin binaries in dirs, launches each (see
// LaunchCommand), and registers a proxy for every plugin they serve in reg
// with the binary as origin. It stops at the first failure, after killing
// what it started, and then registers nothing; so a duplicate (kind, name)
// among the binaries or with a plugin already in reg is an error naming
// both origins.
//
// The processes live until Manager.Close or until ctx is done: a host
// passes a context canceled on SIGINT/SIGTERM and defers Close (and
// CleanupClients in main).
func Load(ctx context.Context, reg *plugin.Registry, dirs []string, opts Options) (*Manager, error) {
	paths, err := Discover(dirs...)
	if err != nil {
		return nil, err
	}
	m := &Manager{}
	type loaded struct {
		p    plugin.Plugin
		path string
	}
	var all []loaded
	where := map[string]string{}
	for _, path := range paths {
		ps, c, err := Launch(ctx, path, opts)
		if err != nil {
			m.Close()
			return nil, err
		}
		m.clients = append(m.clients, c)
		for _, p := range ps {
			info := p.Info()
			if prev, dup := where[info.ID()]; dup {
				m.Close()
				return nil, fmt.Errorf("plugin %s from %s is already provided by %s", info.ID(), path, prev)
			}
			if _, err := reg.Lookup(info.Kind, info.Name); err == nil {
				m.Close()
				return nil, fmt.Errorf("plugin %s from %s is already provided by %s", info.ID(), path, reg.Origin(info.Kind, info.Name))
			}
			where[info.ID()] = path
			all = append(all, loaded{p, path})
		}
	}
	for _, l := range all {
		if err := reg.RegisterFrom(l.p, l.path); err != nil {
			m.Close()
			return nil, err
		}
	}
	return m, nil
}

// Clients returns the running plugin processes.
func (m *Manager) Clients() []*Client {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]*Client(nil), m.clients...)
}

// Close kills every plugin process of the manager and waits for them.
// Proxies registered by Load fail afterwards with an error saying the
// plugin is not running. Close may be called many times.
func (m *Manager) Close() error {
	m.mu.Lock()
	cs := m.clients
	m.mu.Unlock()
	var wg sync.WaitGroup
	for _, c := range cs {
		wg.Add(1)
		go func() { defer wg.Done(); c.Kill() }()
	}
	wg.Wait()
	return nil
}
