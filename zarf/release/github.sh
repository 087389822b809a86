#!/usr/bin/env bash
# github.sh TAG SUMS publishes the GitHub release of TAG: it makes the
# release, or finds the one an earlier run made so that a re-run of the CI
# job finishes the work, and uploads SUMS and every file SUMS lists (from
# SUMS's folder), each replacing an asset of the same name. make
# release-publish runs it.
#
# It needs curl and jq, GITHUB_TOKEN (a token that may write the
# repository's contents) and GITHUB_REPOSITORY (owner/name).
# GITHUB_API_URL points it at another API (GitHub Enterprise's; a test's).
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

github() {
	curl --fail-with-body --silent --show-error --retry 3 \
		-H "Authorization: Bearer $GITHUB_TOKEN" \
		-H "Accept: application/vnd.github+json" \
		-H "X-GitHub-Api-Version: 2022-11-28" "$@"
}

dir=$(dirname "$sums")
files=("$(basename "$sums")")
while read -r _ name; do
	files+=("${name#\*}") # sha256sum marks a file read in binary mode with *
done <"$sums"
for name in "${files[@]}"; do
	[ -f "$dir/$name" ] || { echo "$0: $dir/$name is listed in $sums but missing" >&2; exit 1; }
done

# v1.2.3-rc.1 is a pre-release.
prerelease=false
if [[ $tag == *-* ]]; then
	prerelease=true
fi

if ! release=$(github "$api/releases/tags/$tag" 2>/dev/null); then
	release=$(github -X POST "$api/releases" -d "$(jq -n --arg tag "$tag" --argjson pre "$prerelease" \
		'{tag_name: $tag, name: $tag, prerelease: $pre, generate_release_notes: true}')")
fi
upload=$(jq -r '.upload_url | sub("\\{.*\\}$"; "")' <<<"$release")

for name in "${files[@]}"; do
	for old in $(jq -r --arg name "$name" '.assets[]? | select(.name == $name) | .id' <<<"$release"); do
		github -X DELETE "$api/releases/assets/$old" >/dev/null
	done
	echo "uploading $name"
	github -X POST -H "Content-Type: application/octet-stream" --data-binary "@$dir/$name" "$upload?name=$name" >/dev/null
done
echo "published $(jq -r .html_url <<<"$release")"
