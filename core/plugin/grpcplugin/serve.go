package grpcplugin

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"github.com/smearflow/smearflow/core/plugin"
	pb "github.com/smearflow/smearflow/core/plugin/proto"
	"google.golang.org/grpc"
)

// PluginName is the name under which the smearflow service is dispensed in
// go-plugin's plugin set. One binary serves any number of smearflow
// plugins behind this single go-plugin plugin; its catalog lists them.
const PluginName = "smearflow"

// EnvLogLevel is the environment variable through which the host passes
// its log level to plugin processes (trace, debug, info, warn, error, off).
const EnvLogLevel = "SMEARFLOW_PLUGIN_LOG_LEVEL"

// Handshake is the go-plugin handshake shared by host and plugins. The
// cookie only keeps a plugin binary from being mistaken for a program the
// user should run; it is not a security feature. The protocol version is
// negotiated through VersionedPlugins keyed by plugin.APIVersion.
var Handshake = goplugin.HandshakeConfig{
	ProtocolVersion:  uint(plugin.APIVersion),
	MagicCookieKey:   "SMEARFLOW_PLUGIN",
	MagicCookieValue: "9f1c6b2e-smearflow-plugin-grpc",
}

// GRPCPlugin is the go-plugin plugin carrying the smearflow service: on
// the plugin side it registers a Server for Plugins, on the host side it
// yields a *Remote.
type GRPCPlugin struct {
	goplugin.NetRPCUnsupportedPlugin
	// Plugins are served by the plugin side; unused by the host.
	Plugins []plugin.Plugin

	mu     sync.Mutex
	server *Server
}

// GRPCServer registers the smearflow service on s.
func (g *GRPCPlugin) GRPCServer(_ *goplugin.GRPCBroker, s *grpc.Server) error {
	srv, err := NewServer(g.Plugins...)
	if err != nil {
		return err
	}
	g.mu.Lock()
	g.server = srv
	g.mu.Unlock()
	pb.RegisterPluginsServer(s, srv)
	return nil
}

// Served returns the Server that GRPCServer registered (nil before), so
// that in-process tests can inspect it (for example Server.Sessions).
func (g *GRPCPlugin) Served() *Server {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.server
}

// GRPCClient returns a *Remote over conn.
func (g *GRPCPlugin) GRPCClient(_ context.Context, _ *goplugin.GRPCBroker, conn *grpc.ClientConn) (any, error) {
	return NewRemote(conn, "in-memory"), nil
}

// PluginSet returns the go-plugin plugin set serving ps (for
// goplugin.TestPluginGRPCConn and custom ServeConfigs).
func PluginSet(ps ...plugin.Plugin) goplugin.PluginSet {
	return goplugin.PluginSet{PluginName: &GRPCPlugin{Plugins: ps}}
}

// ServeConfig returns the go-plugin configuration that Serve uses: the
// handshake, the plugin set under plugin.APIVersion, a gRPC server with
// MaxGRPCMessageSize limits, and an hclog JSON logger on stderr at the
// level the host asked for (EnvLogLevel, default info). It fails for nil
// or duplicate plugins.
func ServeConfig(ps ...plugin.Plugin) (*goplugin.ServeConfig, error) {
	if len(ps) == 0 {
		return nil, fmt.Errorf("grpcplugin: Serve needs at least one plugin")
	}
	if _, err := NewServer(ps...); err != nil {
		return nil, err
	}
	return &goplugin.ServeConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: map[int]goplugin.PluginSet{plugin.APIVersion: PluginSet(ps...)},
		GRPCServer:       newGRPCServer,
		Logger:           Logger(),
	}, nil
}

// Flow-control windows and socket buffers. gRPC's defaults (64 KiB
// windows grown by bandwidth probing, 32 KiB buffers) are tuned for
// networks; on the local socket between host and plugin a tile or a batch
// of jets is several MiB and would wait on many window updates.
const (
	streamWindow = 8 << 20
	connWindow   = 32 << 20
	sockBuffer   = 1 << 20
)

func newGRPCServer(opts []grpc.ServerOption) *grpc.Server {
	return goplugin.DefaultGRPCServer(append(opts,
		grpc.MaxRecvMsgSize(MaxGRPCMessageSize), grpc.MaxSendMsgSize(MaxGRPCMessageSize),
		grpc.InitialWindowSize(streamWindow), grpc.InitialConnWindowSize(connWindow),
		grpc.WriteBufferSize(sockBuffer), grpc.ReadBufferSize(sockBuffer)))
}

func dialOptions() []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(MaxGRPCMessageSize), grpc.MaxCallSendMsgSize(MaxGRPCMessageSize)),
		grpc.WithInitialWindowSize(streamWindow), grpc.WithInitialConnWindowSize(connWindow),
		grpc.WithWriteBufferSize(sockBuffer), grpc.WithReadBufferSize(sockBuffer),
	}
}

// Logger returns the logger of a plugin process: hclog JSON lines on
// stderr, which the host re-logs under its own logger. Serve also makes it
// hclog's default logger, so plugin code may use hclog.L().
func Logger() hclog.Logger { return pluginLogger() }

var pluginLogger = sync.OnceValue(func() hclog.Logger {
	level := hclog.LevelFromString(os.Getenv(EnvLogLevel))
	if level == hclog.NoLevel {
		level = hclog.Info
	}
	return hclog.New(&hclog.LoggerOptions{
		Name: filepath.Base(os.Args[0]), Level: level, Output: os.Stderr, JSONFormat: true,
	})
})

// Serve serves the given plugins from an external plugin binary and does
// not return while the host keeps the process; a binary's main is
//
//	func main() { grpcplugin.Serve(angularity.New()) }
//
// One binary may serve several plugins, of any kinds. The binary must
// print nothing to stdout before Serve (the handshake line goes there).
// Run directly rather than by a host, the binary explains that it is a
// plugin and exits with status 1; so it does for invalid plugins (nil, or
// two with the same kind and name).
func Serve(ps ...plugin.Plugin) {
	cfg, err := ServeConfig(ps...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "smearflow plugin:", err)
		os.Exit(1)
	}
	hclog.SetDefault(cfg.Logger)
	goplugin.Serve(cfg)
}
