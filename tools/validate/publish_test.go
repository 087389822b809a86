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
}

type fakeRelease struct {
	ID         int    `json:"id"`
	TagName    string `json:"tag_name"`
	Prerelease bool   `json:"prerelease"`
}

type fakeAsset struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
	data string
}

func (f *fakeGitHub) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /repos/acme/shop/releases/tags/{tag}", func(w http.ResponseWriter, r *http.Request) {
		if f.release == nil || f.release.TagName != r.PathValue("tag") {
			http.Error(w, `{"message": "Not Found"}`, http.StatusNotFound)
			return
		}
		f.writeRelease(w, http.StatusOK)
	})
	mux.HandleFunc("POST /repos/acme/shop/releases", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			TagName              string `json:"tag_name"`
			Name                 string `json:"name"`
			Prerelease           bool   `json:"prerelease"`
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
		f.release = &fakeRelease{ID: f.nextID, TagName: req.TagName, Prerelease: req.Prerelease}
		f.writeRelease(w, http.StatusCreated)
	})
	mux.HandleFunc("DELETE /repos/acme/shop/releases/assets/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.Atoi(r.PathValue("id"))
		if _, ok := f.assetsBy[id]; !ok {
			http.Error(w, `{"message": "Not Found"}`, http.StatusNotFound)
			return
		}
		delete(f.assetsBy, id)
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /uploads/repos/acme/shop/releases/{id}/assets", func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("name")
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
	assets := []fakeAsset{}
	for _, a := range f.assetsBy {
		assets = append(assets, a)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"id":         f.release.ID,
		"tag_name":   f.release.TagName,
		"prerelease": f.release.Prerelease,
		"html_url":   f.url + "/acme/shop/releases/tag/" + f.release.TagName,
		"upload_url": f.url + "/uploads/repos/acme/shop/releases/" + strconv.Itoa(f.release.ID) + "/assets{?name,label}",
		"assets":     assets,
	})
}

// TestPublishToGitHub runs make release-publish against a fake of GitHub's
// releases API: the first run makes the release and uploads the checksums
// and every file they list; a second (a retried CI job, the files built
// anew) finds that release and replaces the assets, one of each.
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

	for run, binary := range []string{"binary, first build", "binary, second build"} {
		files := map[string]string{
			"sales-api-" + version + "-linux-amd64": binary,
			project + "-" + version + ".yaml":       "kind: Namespace\n",
		}
		sumsName := project + "-" + version + "-SHA256SUMS"
		var sums string
		for _, name := range sortedKeys(files) {
			sum := sha256.Sum256([]byte(files[name]))
			sums += hex.EncodeToString(sum[:]) + "  " + name + "\n"
		}
		files[sumsName] = sums
		for name, data := range files {
			if err := os.WriteFile(filepath.Join(dist, name), []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}

		out, err := makeInRepo(t, "release-publish", "VERSION="+version, "DIST="+dist,
			"GITHUB_TOKEN=test-token", "GITHUB_REPOSITORY=acme/shop", "GITHUB_API_URL="+srv.URL)
		if err != nil {
			t.Fatalf("run %d: make release-publish: %v\n%s", run+1, err, out)
		}

		gh.mu.Lock()
		got := make(map[string]string)
		for _, a := range gh.assetsBy {
			if _, dup := got[a.Name]; dup {
				t.Errorf("run %d: asset %s is there twice", run+1, a.Name)
			}
			got[a.Name] = a.data
		}
		if diff := cmp.Diff(files, got); diff != "" {
			t.Errorf("run %d: the release's assets (-want +got):\n%s", run+1, diff)
		}
		if gh.created != 1 || gh.release.TagName != version || !gh.release.Prerelease {
			t.Errorf("run %d: %d releases made, the last %+v; want one, pre-release %s", run+1, gh.created, gh.release, version)
		}
		gh.mu.Unlock()
	}
}
