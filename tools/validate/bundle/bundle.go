// Package bundle renders a release's manifest bundle: a kustomization (the
// production overlay) built offline with kustomize's Go API, with the kit's
// own images pinned to the release's version, as one YAML file an operator
// applies with kubectl apply -f.
package bundle

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// Image is one of the kit's images: Name as the overlay gives it
// (garagesale/sales-api), NewName where the release pushes it
// (a registry path, ghcr.io/acme/api; empty keeps Name).
type Image struct {
	Name    string
	NewName string
	// Digest, when set (sha256:...), pins the image by its content, as the
	// registry reported it after the push: a tag can be moved, a digest
	// cannot.
	Digest string
}

// Config is what a bundle is rendered from.
type Config struct {
	// Dir is the kustomization's folder.
	Dir string
	// Version is the release's, and every Image's tag.
	Version string
	// Images are the images to pin; each must be in the rendered pods.
	Images []Image
}

// tag is what a registry accepts as an image tag.
var tag = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)

// Render returns the bundle of cfg: the kustomization in cfg.Dir with
// cfg.Images pinned by an images: override, as kustomize build would print
// it, Namespaces first so that a single kubectl apply -f succeeds on an
// empty cluster.
func Render(cfg Config) ([]byte, error) {
	if !tag.MatchString(cfg.Version) {
		return nil, fmt.Errorf("version %q is not an image tag (letters, digits, _ . -; no + or /)", cfg.Version)
	}
	// Tags that are moved on purpose would make the bundle mean something
	// else tomorrow.
	if cfg.Version == "latest" || cfg.Version == "dev" {
		return nil, fmt.Errorf("version %q is a tag that moves: a bundle pins a release", cfg.Version)
	}
	if len(cfg.Images) == 0 {
		return nil, errors.New("no images to pin")
	}

	wrapper, err := writeWrapper(cfg)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(wrapper)

	opts := krusty.MakeDefaultOptions()
	// The overlay is outside the wrapper's folder, and the kit's
	// generators read config files outside theirs (see render_test.go).
	opts.LoadRestrictions = types.LoadRestrictionsNone
	opts.Reorder = krusty.ReorderOptionLegacy
	resMap, err := krusty.MakeKustomizer(opts).Run(filesys.MakeFsOnDisk(), wrapper)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", cfg.Dir, err)
	}

	var images []string
	for _, res := range resMap.Resources() {
		obj, err := res.Map()
		if err != nil {
			return nil, fmt.Errorf("render %s: %s: %w", cfg.Dir, res.CurId(), err)
		}
		images = append(images, containerImages(obj)...)
	}
	for _, img := range cfg.Images {
		if want := pinned(img, cfg.Version); !slices.Contains(images, want) {
			return nil, fmt.Errorf("image %s: no container of %s runs it after pinning (%s): is %s the name the overlay gives it?",
				img.Name, cfg.Dir, want, img.Name)
		}
	}

	out, err := resMap.AsYaml()
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", cfg.Dir, err)
	}
	header := fmt.Sprintf("# Release %s: apply with kubectl apply -f; every image of the kit is pinned to %s.\n", cfg.Version, cfg.Version)
	return append([]byte(header), out...), nil
}

// writeWrapper writes, in a folder of its own, the kustomization that
// builds cfg.Dir with the images pinned, and returns the folder. It is the
// same images: override an operator would write with kustomize edit set
// image, without touching the overlay.
func writeWrapper(cfg Config) (string, error) {
	dir, err := os.MkdirTemp("", "bundle-")
	if err != nil {
		return "", fmt.Errorf("wrapper kustomization: %w", err)
	}
	// kustomize takes resources relative to the kustomization and resolves
	// symlinks in its root (macOS's temp folder is one), so the relative
	// path is computed between resolved paths.
	rel, err := relResolved(dir, cfg.Dir)
	if err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("wrapper kustomization: %w", err)
	}

	k := types.Kustomization{
		TypeMeta:  types.TypeMeta{APIVersion: types.KustomizationVersion, Kind: types.KustomizationKind},
		Resources: []string{filepath.ToSlash(rel)},
	}
	for _, img := range cfg.Images {
		pin := types.Image{Name: img.Name, NewName: img.NewName, NewTag: cfg.Version}
		if img.Digest != "" {
			pin.NewTag, pin.Digest = "", img.Digest
		}
		k.Images = append(k.Images, pin)
	}
	data, err := yaml.Marshal(k)
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "kustomization.yaml"), data, 0o644)
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("wrapper kustomization: %w", err)
	}
	return dir, nil
}

// relResolved is the path from folder base to folder target, both with
// their symlinks resolved.
func relResolved(base, target string) (string, error) {
	base, err := filepath.EvalSymlinks(base)
	if err != nil {
		return "", err
	}
	target, err = filepath.Abs(target)
	if err != nil {
		return "", err
	}
	if target, err = filepath.EvalSymlinks(target); err != nil {
		return "", err
	}
	return filepath.Rel(base, target)
}

// pinned is the reference img has in the bundle.
func pinned(img Image, version string) string {
	name := img.NewName
	if name == "" {
		name = img.Name
	}
	if img.Digest != "" {
		return name + "@" + img.Digest
	}
	return name + ":" + version
}

// containerImages returns the image of every container and init container
// anywhere in obj, where kustomize's images: override looks for them.
func containerImages(obj any) []string {
	var images []string
	switch v := obj.(type) {
	case map[string]any:
		for k, child := range v {
			if k == "containers" || k == "initContainers" {
				list, _ := child.([]any)
				for _, c := range list {
					if m, ok := c.(map[string]any); ok {
						if image, ok := m["image"].(string); ok {
							images = append(images, image)
						}
					}
				}
				continue
			}
			images = append(images, containerImages(child)...)
		}
	case []any:
		for _, child := range v {
			images = append(images, containerImages(child)...)
		}
	}
	return images
}

// ParseImage reads an image as the command line gives it: name or
// name=newName.
func ParseImage(s string) (Image, error) {
	name, newName, _ := strings.Cut(s, "=")
	newName, digest, pinned := strings.Cut(newName, "@")
	if name == "" || hasTag(name) || hasTag(newName) {
		return Image{}, fmt.Errorf("image %q: want name, name=newName or name=newName@sha256:DIGEST, without a tag (the version is the tag)", s)
	}
	if pinned && !digestRE.MatchString(digest) {
		return Image{}, fmt.Errorf("image %q: the digest is not sha256: and 64 hex digits", s)
	}
	return Image{Name: name, NewName: newName, Digest: digest}, nil
}

// digestRE is an image digest as registries report it.
var digestRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// hasTag reports whether an image reference has a tag: a colon after its
// last slash (one before is a registry's port).
func hasTag(ref string) bool {
	return strings.LastIndex(ref, ":") > strings.LastIndex(ref, "/")
}
