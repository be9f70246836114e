// Command pulumi-resource-kubernetes serves the Kubernetes provider to the Pulumi engine.
package main

import (
	_ "embed"
	"os"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
)

//go:embed schema.json
var pulumiSchema []byte

//go:embed terraform-mapping.json
var terraformMapping []byte

// version is set with -ldflags to the plugin version the npm SDK asks for.
var version = "0.0.0"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-version" {
		os.Stdout.WriteString(version + "\n")
		return
	}
	provider.Serve("kubernetes", version, pulumiSchema, terraformMapping)
}
