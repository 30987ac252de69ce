// Package pluginpb holds the protobuf messages and gRPC service of the
// smearflow plugin protocol (smearflow_plugin.proto), used by
// core/plugin/grpcplugin. The generated files are committed, so building
// and testing never need protoc; after editing the .proto, run
// `go generate ./core/plugin/proto` with protoc, protoc-gen-go and
// protoc-gen-go-grpc on the PATH.
package pluginpb

//go:generate protoc --go_out=. --go_opt=paths=source_relative --go-grpc_out=. --go-grpc_opt=paths=source_relative smearflow_plugin.proto
