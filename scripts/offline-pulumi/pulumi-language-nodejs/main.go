// Command pulumi-language-nodejs is ai-infra's Node.js language host for the offline engine
// (scripts/offline-pulumi.sh). The official host's Go module
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) is not served by the Go module
// proxy, so this host is built from the packages the official one uses: Pulumi's own Node.js SDK
// code generator (pkg/v3/codegen/nodejs) for `pulumi package add`, and @pulumi/pulumi's own program
// runner (node_modules/@pulumi/pulumi/cmd/run, from npm) for `pulumi preview` and `up`.
//
// What it implements: Handshake, GetPluginInfo, GetRequiredPackages (none: plugins come from PATH
// and the project's `packages:`), GeneratePackage (the real Node.js SDK code generator), Link (a
// `file:` dependency in package.json), InstallDependencies (`npm install`), Run (TypeScript through
// the ts-node that @pulumi/pulumi's runner loads, or JavaScript with `typescript: false`), Cancel.
//
// What it leaves out, compared with the official host: yarn, pnpm and bun, the `nodeargs` and
// `packagemanager` options beyond passing node arguments, RunPlugin (Node.js policy packs and
// providers), program generation and `pulumi convert`, and the official host's lookup of required
// plugins in node_modules.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/pkg/v3/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// userActionableExit is the exit code @pulumi/pulumi's runner uses after it has printed an error
// the user can act on: the engine then shows no extra message.
const userActionableExit = 32

func main() {
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.String("tracing", "", "accepted for compatibility; tracing is not emitted")
	flag.String("root", "", "accepted for compatibility")
	// The engine passes the project's runtime options as flags; Run reads them from ProgramInfo.
	flag.String("typescript", "", "accepted for compatibility; read from the runtime options")
	flag.String("nodeargs", "", "accepted for compatibility; read from the runtime options")
	flag.String("packagemanager", "", "accepted for compatibility; read from the runtime options")
	flag.Parse()
	if *showVersion {
		fmt.Println(version.Version)
		return
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cancel := make(chan bool)
	go func() {
		<-ctx.Done()
		close(cancel)
	}()

	host := &nodeHost{}
	host.cancelCtx, host.cancelRun = context.WithCancel(context.Background())
	if args := flag.Args(); len(args) > 0 {
		host.engineAddress = args[0]
		if err := rpcutil.Healthcheck(ctx, host.engineAddress, 5*time.Minute, stop); err != nil {
			cmdutil.Exit(fmt.Errorf("could not start the engine health check: %w", err))
		}
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start the language host: %w", err))
	}
	// The engine reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host stopped serving: %w", err))
	}
}

type nodeHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	engineAddress string
	cancelCtx     context.Context
	cancelRun     context.CancelFunc
}

func (h *nodeHost) Handshake(
	ctx context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.engineAddress = req.GetEngineAddress()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *nodeHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// GetRequiredPackages reports none: offline, provider plugins are found on PATH and source-based
// packages through the project's `packages:` (what `pulumi package add` records).
func (h *nodeHost) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *nodeHost) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *nodeHost) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.cancelRun()
	return &emptypb.Empty{}, nil
}

// runner finds @pulumi/pulumi's program runner in the node_modules of dir or a parent, as Node's
// own module resolution would.
func runner(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		candidate := filepath.Join(d, "node_modules", "@pulumi", "pulumi", "cmd", "run")
		if _, err := os.Stat(filepath.Join(candidate, "index.js")); err == nil {
			return candidate, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no node_modules/@pulumi/pulumi above %s: run `npm install` in the project", dir)
		}
	}
}

// Run runs the compiled program with @pulumi/pulumi's runner, the stack config in PULUMI_CONFIG.
func (h *nodeHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	options := info.GetOptions().AsMap()
	// TypeScript runs through ts-node, as the official host does: @pulumi/pulumi's runner loads the
	// project's typescript and ts-node, or the copies it vendors. `typescript: false` runs JavaScript.
	typescript := "true"
	if ts, ok := options["typescript"]; ok && ts == false {
		typescript = "false"
	}
	run, err := runner(info.GetProgramDirectory())
	if err != nil {
		return nil, err
	}
	args := []string{}
	if nodeArgs, ok := options["nodeargs"].(string); ok && nodeArgs != "" {
		args = append(args, strings.Fields(nodeArgs)...)
	}
	args = append(args, run)
	flagArg := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flagArg("monitor", req.GetMonitorAddress())
	flagArg("engine", h.engineAddress)
	flagArg("project", req.GetProject())
	flagArg("root-directory", info.GetRootDirectory())
	flagArg("stack", req.GetStack())
	flagArg("pwd", req.GetPwd())
	flagArg("organization", req.GetOrganization())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	flagArg("parallel", strconv.Itoa(int(req.GetParallel())))
	args = append(args, info.GetEntryPoint())
	args = append(args, req.GetArgs()...)

	runCtx, cancel := context.WithCancel(h.cancelCtx)
	defer cancel()
	context.AfterFunc(ctx, cancel)
	cmd := exec.CommandContext(runCtx, "node", args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	cmd.Dir = req.GetPwd()
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	config, err := json.Marshal(req.GetConfig())
	if err != nil {
		return nil, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}
	cmd.Env = append(os.Environ(),
		"PULUMI_CONFIG="+string(config),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretJSON),
		"PULUMI_NODEJS_TYPESCRIPT="+typescript,
	)
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if exitErr.ExitCode() == userActionableExit {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited with non-zero exit code: %d", exitErr.ExitCode())}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run node: %v", err)}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// InstallDependencies runs `npm install` in the program's directory (`pulumi install`, and after
// `pulumi package add` has linked a generated SDK).
func (h *nodeHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()
	cmd := exec.CommandContext(server.Context(), "npm", "install", "--no-audit", "--no-fund")
	cmd.Dir = req.GetInfo().GetProgramDirectory()
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm install failed: %w", err)
	}
	return closer.Close()
}

// GeneratePackage writes a Node.js SDK for a package schema with Pulumi's own code generator.
func (h *nodeHost) GeneratePackage(
	ctx context.Context, req *pulumirpc.GeneratePackageRequest,
) (*pulumirpc.GeneratePackageResponse, error) {
	loader, err := schema.NewLoaderClient(req.GetLoaderTarget())
	if err != nil {
		return nil, err
	}
	defer loader.Close()
	var spec schema.PackageSpec
	if err := json.Unmarshal([]byte(req.GetSchema()), &spec); err != nil {
		return nil, err
	}
	pkg, diags, err := schema.BindSpec(spec, loader, schema.ValidationOptions{AllowDanglingReferences: true})
	if err != nil {
		return nil, err
	}
	rpcDiagnostics := plugin.HclDiagnosticsToRPCDiagnostics(diags)
	if diags.HasErrors() {
		return &pulumirpc.GeneratePackageResponse{Diagnostics: rpcDiagnostics}, nil
	}
	files, err := nodejs.GeneratePackage("pulumi-language-nodejs", pkg, req.GetExtraFiles(),
		req.GetLocalDependencies(), req.GetLocal(), schema.NewCachedLoader(loader))
	if err != nil {
		return nil, err
	}
	for name, content := range files {
		path := filepath.Join(req.GetDirectory(), name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, content, 0o600); err != nil {
			return nil, err
		}
	}
	return &pulumirpc.GeneratePackageResponse{Diagnostics: rpcDiagnostics}, nil
}

// Link adds each generated SDK to the program's package.json as a `file:` dependency, under the
// name in the SDK's own package.json.
func (h *nodeHost) Link(ctx context.Context, req *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error) {
	root := req.GetInfo().GetRootDirectory()
	manifest := filepath.Join(req.GetInfo().GetProgramDirectory(), "package.json")
	raw, err := os.ReadFile(manifest)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", manifest, err)
	}
	var project map[string]any
	if err := json.Unmarshal(raw, &project); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", manifest, err)
	}
	deps, _ := project["dependencies"].(map[string]any)
	if deps == nil {
		deps = map[string]any{}
	}
	var imports []string
	for _, dep := range req.GetPackages() {
		sdk := filepath.Join(root, dep.GetPath())
		sdkRaw, err := os.ReadFile(filepath.Join(sdk, "package.json"))
		if err != nil {
			return nil, fmt.Errorf("reading the generated SDK's package.json: %w", err)
		}
		var sdkManifest struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal(sdkRaw, &sdkManifest); err != nil || sdkManifest.Name == "" {
			return nil, fmt.Errorf("the generated SDK at %s has no package name", sdk)
		}
		rel, err := filepath.Rel(req.GetInfo().GetProgramDirectory(), sdk)
		if err != nil {
			return nil, err
		}
		deps[sdkManifest.Name] = "file:" + filepath.ToSlash(rel)
		imports = append(imports, fmt.Sprintf("import * as %s from \"%s\";",
			dep.GetPackage().GetName(), sdkManifest.Name))
	}
	project["dependencies"] = deps
	out, err := json.MarshalIndent(project, "", "    ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(manifest, append(out, '\n'), 0o600); err != nil {
		return nil, err
	}
	sort.Strings(imports)
	return &pulumirpc.LinkResponse{
		ImportInstructions: "You can then import the SDK in your TypeScript code with:\n\n  " + strings.Join(imports, "\n  "),
	}, nil
}
