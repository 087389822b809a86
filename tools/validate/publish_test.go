package validate

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fakeGitHub answers the part of GitHub's releases API that make
// release-publish uses, for repository acme/shop and token "test-token".
type fakeGitHub struct {
	mu       sync.Mutex
	url      string
	release  *fakeRelease
	created  int // releases made
	nextID   int
	assetsBy map[int]fakeAsset // by id
	// failUpload fails every upload of the asset of this name.
	failUpload string
}

type fakeRelease struct {
	ID         int    `json:"id"`
	TagName    string `json:"tag_name"`
	Prerelease bool   `json:"prerelease"`
	Draft      bool   `json:"draft"`
}

type fakeAsset struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
	data string
}

func (f *fakeGitHub) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /repos/acme/shop/releases", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if f.release == nil {
			fmt.Fprint(w, "[]")
			return
		}
		json.NewEncoder(w).Encode([]any{f.releaseJSON()})
	})
	mux.HandleFunc("PATCH /repos/acme/shop/releases/{id}", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Draft *bool `json:"draft"`
		}
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil || f.release == nil || strconv.Itoa(f.release.ID) != r.PathValue("id") {
			http.Error(w, `{"message": "Validation Failed"}`, http.StatusUnprocessableEntity)
			return
		}
		if req.Draft != nil {
			f.release.Draft = *req.Draft
		}
		f.writeRelease(w, http.StatusOK)
	})
	mux.HandleFunc("POST /repos/acme/shop/releases", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			TagName              string `json:"tag_name"`
			Name                 string `json:"name"`
			Prerelease           bool   `json:"prerelease"`
			Draft                bool   `json:"draft"`
			GenerateReleaseNotes bool   `json:"generate_release_notes"`
		}
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil || req.TagName == "" {
			http.Error(w, `{"message": "Validation Failed"}`, http.StatusUnprocessableEntity)
			return
		}
		f.nextID++
		f.created++
		f.release = &fakeRelease{ID: f.nextID, TagName: req.TagName, Prerelease: req.Prerelease, Draft: req.Draft}
		f.writeRelease(w, http.StatusCreated)
	})
	mux.HandleFunc("DELETE /repos/acme/shop/releases/assets/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.Atoi(r.PathValue("id"))
		if !f.release.Draft {
			http.Error(w, `{"message": "a published release's assets are kept, in this test"}`, http.StatusForbidden)
			return
		}
		if _, ok := f.assetsBy[id]; !ok {
			http.Error(w, `{"message": "Not Found"}`, http.StatusNotFound)
			return
		}
		delete(f.assetsBy, id)
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /uploads/repos/acme/shop/releases/{id}/assets", func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("name")
		if name == f.failUpload {
			http.Error(w, `{"message": "Server Error"}`, http.StatusInternalServerError)
			return
		}
		for _, a := range f.assetsBy {
			if a.Name == name {
				// As GitHub: a name is taken until its asset is deleted.
				http.Error(w, `{"message": "Validation Failed", "errors": [{"code": "already_exists"}]}`, http.StatusUnprocessableEntity)
				return
			}
		}
		data, _ := io.ReadAll(r.Body)
		f.nextID++
		f.assetsBy[f.nextID] = fakeAsset{ID: f.nextID, Name: name, data: string(data)}
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"id": %d, "name": %q}`, f.nextID, name)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer test-token" {
			http.Error(w, `{"message": "Bad credentials"}`, http.StatusUnauthorized)
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		mux.ServeHTTP(w, r)
	})
}

func (f *fakeGitHub) writeRelease(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(f.releaseJSON())
}

func (f *fakeGitHub) releaseJSON() map[string]any {
	assets := []fakeAsset{}
	for _, a := range f.assetsBy {
		assets = append(assets, a)
	}
	return map[string]any{
		"id":         f.release.ID,
		"tag_name":   f.release.TagName,
		"prerelease": f.release.Prerelease,
		"draft":      f.release.Draft,
		"html_url":   f.url + "/acme/shop/releases/tag/" + f.release.TagName,
		"upload_url": f.url + "/uploads/repos/acme/shop/releases/" + strconv.Itoa(f.release.ID) + "/assets{?name,label}",
		"assets":     assets,
	}
}

// TestPublishToGitHub runs make release-publish against a fake of GitHub's
// releases API. The first run fails half way (an upload errs): the draft
// it made holds part of the files and nothing is published. The second
// (the CI job retried, the files built anew) finds the draft, replaces
// what the first uploaded (and drops what it alone had), uploads the rest
// with the signature, and publishes. A third run for the same tag refuses and changes nothing: a
// published release is never overwritten. No run puts the token on a
// command line, where any user of the machine could read it.
func TestPublishToGitHub(t *testing.T) {
	for _, tool := range []string{"curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("make release-publish needs %s: %v", tool, err)
		}
	}
	const version = "v1.2.3-rc.1"
	project := makefileVars(t)["PROJECT"]
	gh := &fakeGitHub{assetsBy: make(map[int]fakeAsset)}
	srv := httptest.NewServer(gh.handler())
	defer srv.Close()
	gh.url = srv.URL
	dist := t.TempDir()
	sumsName := project + "-" + version + "-SHA256SUMS"
	binName := "sales-api-" + version + "-linux-amd64"
	// The signature goes last: the first run uploads all else, then fails.
	gh.failUpload = sumsName + ".sig"

	// curl, wrapped: each call's arguments go to a file first.
	argv := filepath.Join(t.TempDir(), "argv")
	wrap := t.TempDir()
	realCurl, err := exec.LookPath("curl")
	if err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\nprintf '%s\\n' \"$*\" >> " + argv + "\nexec " + realCurl + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(wrap, "curl"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", wrap+string(os.PathListSeparator)+os.Getenv("PATH"))

	publish := func(binary string, extra ...string) ([]byte, map[string]string, error) {
		files := map[string]string{
			binName:                           binary,
			project + "-" + version + ".yaml": "kind: Namespace\n",
		}
		for _, name := range extra {
			files[name] = "a file of this run only\n"
		}
		var sums string
		for _, name := range sortedKeys(files) {
			sum := sha256.Sum256([]byte(files[name]))
			sums += hex.EncodeToString(sum[:]) + "  " + name + "\n"
		}
		files[sumsName] = sums
		files[sumsName+".sig"] = "signature of " + binary
		for name, data := range files {
			if err := os.WriteFile(filepath.Join(dist, name), []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		out, err := makeInRepo(t, "release-publish", "VERSION="+version, "DIST="+dist,
			"GITHUB_TOKEN=test-token", "GITHUB_REPOSITORY=acme/shop", "GITHUB_API_URL="+srv.URL)
		return out, files, err
	}
	assets := func() map[string]string {
		gh.mu.Lock()
		defer gh.mu.Unlock()
		got := make(map[string]string)
		for _, a := range gh.assetsBy {
			if _, dup := got[a.Name]; dup {
				t.Errorf("asset %s is there twice", a.Name)
			}
			got[a.Name] = a.data
		}
		return got
	}

	// The first run also has a file the second does not: it must not
	// outlive the draft.
	if out, _, err := publish("binary, first build", "sales-admin-"+version+"-linux-amd64"); err == nil {
		t.Fatalf("run 1 with a failing upload succeeded:\n%s", out)
	}
	if gh.release == nil || !gh.release.Draft {
		t.Fatalf("after a failed run: release %+v, want a draft", gh.release)
	}

	gh.mu.Lock()
	gh.failUpload = ""
	gh.mu.Unlock()
	out, files, err := publish("binary, second build")
	if err != nil {
		t.Fatalf("run 2: make release-publish: %v\n%s", err, out)
	}
	if diff := cmp.Diff(files, assets()); diff != "" {
		t.Errorf("run 2: the release's assets (-want +got):\n%s", diff)
	}
	if gh.created != 1 || gh.release.TagName != version || !gh.release.Prerelease || gh.release.Draft {
		t.Errorf("run 2: %d releases made, the last %+v; want one, published, pre-release %s", gh.created, gh.release, version)
	}

	out, _, err = publish("binary, third build")
	if err == nil || !strings.Contains(string(out), "is published already") {
		t.Errorf("run 3 for a published tag: %v, want a refusal that says it is published:\n%s", err, out)
	}
	if diff := cmp.Diff(files, assets()); diff != "" {
		t.Errorf("run 3 changed the published release's assets (-run 2 +now):\n%s", diff)
	}

	calls, err := os.ReadFile(argv)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(calls), "test-token") {
		t.Errorf("the token is on curl's command line:\n%s", calls)
	}
}
