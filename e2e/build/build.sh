#!/usr/bin/env bash
# Builds the programs the end-to-end suite runs — etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kubectl, kwok, the pulumi CLI and its Kubernetes provider plugin — from their Go
# modules, once, into a cache outside the repository keyed by each program's version and the
# wrapper module that builds it. A cached program is never rebuilt.
#
#   bash e2e/build/build.sh            build what is missing, then print the paths as JSON
#   bash e2e/build/build.sh --paths    print the paths as JSON, build nothing (exit 1 if missing)
#   ... --without-pulumi               only the control plane (etcd, Kubernetes, kwok): the pulumi
#                                      CLI and its provider are neither built nor required
#
# Environment: STEPWISE_E2E_CACHE (default ~/.cache/stepwise-e2e) is where the programs go.
# Build times are printed per program; see docs/e2e.md for what they were on a 2-core machine.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.env
. "$here/versions.env"
cache="${STEPWISE_E2E_CACHE:-$HOME/.cache/stepwise-e2e}"
mode=build
pulumi=yes
for arg in "$@"; do
  case "$arg" in
    --paths) mode=--paths ;;
    --without-pulumi) pulumi=no ;;
    *) echo "usage: bash e2e/build/build.sh [--paths] [--without-pulumi]" >&2 && exit 2 ;;
  esac
done

# The cache key of one wrapper module: its version plus a hash of the files that decide the build.
key() {
  local dir="$here/$1" version="$2"
  local sum
  sum=$(cd "$dir" && cat go.mod go.sum $(find . -name '*.go' | sort) | sha256sum | cut -c1-12)
  printf '%s/%s-%s-%s' "$cache" "$1" "$version" "$sum"
}

k8s_ldflags() {
  local flags="-s -w" pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags="$flags -X $pkg.gitVersion=v$KUBERNETES_VERSION -X $pkg.gitMajor=${KUBERNETES_VERSION%%.*}"
    flags="$flags -X $pkg.gitMinor=$(echo "$KUBERNETES_VERSION" | cut -d. -f2) -X $pkg.gitTreeState=clean"
  done
  printf '%s' "$flags"
}

# build NAME VERSION LDFLAGS PACKAGE...: go build the packages of wrapper module NAME into its
# cache directory, unless that directory is complete already.
build() {
  local name="$1" version="$2" ldflags="$3"
  shift 3
  local out
  out=$(key "$name" "$version")
  if [ -f "$out/.complete" ]; then return 0; fi
  if [ "$mode" = "--paths" ]; then
    echo "e2e: $name $version is not built; run: bash e2e/build/build.sh" >&2
    exit 1
  fi
  local start=$SECONDS
  rm -rf "$out.tmp" && mkdir -p "$out.tmp"
  echo "e2e: building $name $version ..." >&2
  (cd "$here/$name" && go build -trimpath -ldflags "$ldflags" -o "$out.tmp/" "$@")
  touch "$out.tmp/.complete"
  rm -rf "$out" && mv "$out.tmp" "$out"
  echo "e2e: built $name $version in $((SECONDS - start)) s" >&2
}

provider_sources() {
  # The provider's command embeds two generated files that are not in its module; the module's
  # own copies of them are what the generator starts from, so they are embedded instead.
  local from to f
  from=$(cd "$here/pulumi-kubernetes" && go mod download -json github.com/pulumi/pulumi-kubernetes/provider/v4 |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')/cmd/pulumi-resource-kubernetes
  to="$here/pulumi-kubernetes/pulumi-resource-kubernetes"
  for f in schema.json terraform-mapping.json; do
    if ! cmp -s "$from/$f" "$to/$f"; then
      cp "$from/$f" "$to/$f" && chmod u+w "$to/$f"
    fi
  done
}

if [ "$mode" != "--paths" ] && ! command -v go >/dev/null 2>&1; then
  echo "e2e: Go is needed to build the control plane and the Pulumi engine (see docs/e2e.md)," >&2
  echo "     or set KUBECONFIG to a cluster and put pulumi on PATH to use those instead." >&2
  exit 1
fi

build etcd "$ETCD_VERSION" "-s -w" go.etcd.io/etcd/server/v3
build kubernetes "$KUBERNETES_VERSION" "$(k8s_ldflags)" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
build kwok "$KWOK_VERSION" "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" sigs.k8s.io/kwok/cmd/kwok
if [ "$pulumi" = yes ]; then
  build pulumi "$PULUMI_VERSION" \
    "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
    github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  [ "$mode" = "--paths" ] || provider_sources
  build pulumi-kubernetes "$PULUMI_KUBERNETES_PLUGIN_VERSION" \
    "-s -w -X main.version=$PULUMI_KUBERNETES_PLUGIN_VERSION" ./pulumi-resource-kubernetes
  pulumi_paths=$(
    cat <<JSON
  "pulumi": "$(key pulumi "$PULUMI_VERSION")/pulumi",
  "pulumiKubernetes": "$(key pulumi-kubernetes "$PULUMI_KUBERNETES_PLUGIN_VERSION")/pulumi-resource-kubernetes",
  "pulumiKubernetesVersion": "$PULUMI_KUBERNETES_PLUGIN_VERSION",
JSON
  )
fi

# The Gateway API CRDs (HTTPRoute for the gateway-api router), copied from their Go module.
crds="$cache/gateway-api-crds-$GATEWAY_API_VERSION"
if [ ! -f "$crds/.complete" ]; then
  if [ "$mode" = "--paths" ]; then
    echo "e2e: the Gateway API CRDs are not fetched; run: bash e2e/build/build.sh" >&2
    exit 1
  fi
  from=$(cd "$here/etcd" && go mod download -json "sigs.k8s.io/gateway-api@v$GATEWAY_API_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  rm -rf "$crds" && mkdir -p "$crds"
  cp "$from"/config/crd/standard/*.yaml "$crds/" && chmod u+w "$crds"/*.yaml && touch "$crds/.complete"
fi

cat <<JSON
{
  "etcd": "$(key etcd "$ETCD_VERSION")/server",
  "kubernetes": "$(key kubernetes "$KUBERNETES_VERSION")",
  "kwok": "$(key kwok "$KWOK_VERSION")/kwok",${pulumi_paths:+
$pulumi_paths}
  "kubernetesVersion": "$KUBERNETES_VERSION",
  "gatewayApiCrds": "$crds"
}
JSON
