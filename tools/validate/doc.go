// Package validate holds the offline tests of the kit's deployment
// configuration: every kustomize overlay under zarf/k8s renders and decodes
// strictly into the Kubernetes API types, and the manifests, the compose
// file, the kind config and the makefile agree with each other and with what
// the service binaries really serve and read.
//
// It is its own module so that kustomize and the Kubernetes API types stay
// out of the service's go.mod and vendor/; the renderer of a release's
// manifest bundle (bundle, cmd/bundle) lives here for the same reason. It
// never imports the service module: it reads the service's Go source as
// text and asks the built binaries for their settings (--help), as an
// operator would.
package validate
