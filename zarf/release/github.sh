#!/usr/bin/env bash
# github.sh TAG SUMS publishes the GitHub release of TAG with SUMS and
# every file SUMS lists (from SUMS's folder), and SUMS's signature when
# there is one (SUMS.sig). make release-publish runs it.
#
# A published release is never changed: the assets people verified and
# downloaded stay the ones they got. So the release is made as a draft,
# filled, and published last; a re-run of a CI job that failed half way
# finds the draft and finishes it, while a run for a tag already published
# refuses, naming the release.
#
# It needs curl and jq, GITHUB_TOKEN (a token that may write the
# repository's contents) and GITHUB_REPOSITORY (owner/name). The token is
# handed to curl in a header file, never on its command line, where any
# user of the machine could read it. GITHUB_API_URL points it at another
# API (GitHub Enterprise's; a test's).
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 TAG SUMS" >&2
	exit 2
fi
tag=$1
sums=$2
: "${GITHUB_TOKEN:?is not set: a token that may write the repository contents}"
: "${GITHUB_REPOSITORY:?is not set: owner/name of the repository}"
api=${GITHUB_API_URL:-https://api.github.com}/repos/$GITHUB_REPOSITORY
for tool in curl jq; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is not installed" >&2; exit 1; }
done

# printf is a shell builtin: the token reaches curl through a pipe's file,
# not an argument.
github() {
	curl --fail-with-body --silent --show-error --retry 3 \
		-H @<(printf 'Authorization: Bearer %s\n' "$GITHUB_TOKEN") \
		-H "Accept: application/vnd.github+json" \
		-H "X-GitHub-Api-Version: 2022-11-28" "$@"
}

dir=$(dirname "$sums")
files=("$(basename "$sums")")
while read -r _ name; do
	files+=("${name#\*}") # sha256sum marks a file read in binary mode with *
done <"$sums"
if [ -f "$sums.sig" ]; then
	files+=("$(basename "$sums").sig")
fi
for name in "${files[@]}"; do
	[ -f "$dir/$name" ] || { echo "$0: $dir/$name is listed in $sums but missing" >&2; exit 1; }
done

# v1.2.3-rc.1 is a pre-release.
prerelease=false
if [[ $tag == *-* ]]; then
	prerelease=true
fi

# Drafts are not found by tag, only in the list.
release=$(github "$api/releases?per_page=100" | jq --arg tag "$tag" 'map(select(.tag_name == $tag)) | first // empty')
if [ -n "$release" ] && [ "$(jq -r .draft <<<"$release")" != true ]; then
	echo "$0: release $tag is published already ($(jq -r .html_url <<<"$release")): a published release is never changed; release a new version" >&2
	exit 1
fi
if [ -z "$release" ]; then
	release=$(github -X POST "$api/releases" -d "$(jq -n --arg tag "$tag" --argjson pre "$prerelease" \
		'{tag_name: $tag, name: $tag, prerelease: $pre, draft: true, generate_release_notes: true}')")
fi
id=$(jq -r .id <<<"$release")
upload=$(jq -r '.upload_url | sub("\\{.*\\}$"; "")' <<<"$release")

# In the draft, the files built now replace whatever an earlier run left,
# a file this run does not have too: what is published is the signed set.
for old in $(jq -r '.assets[]?.id' <<<"$release"); do
	github -X DELETE "$api/releases/assets/$old" >/dev/null
done
for name in "${files[@]}"; do
	echo "uploading $name"
	github -X POST -H "Content-Type: application/octet-stream" --data-binary "@$dir/$name" "$upload?name=$name" >/dev/null
done
published=$(github -X PATCH "$api/releases/$id" -d '{"draft": false}')
echo "published $(jq -r .html_url <<<"$published")"
