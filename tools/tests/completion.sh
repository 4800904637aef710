#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# completion/vipctl.bash: every command and option `vipctl ... --help`
# lists is offered where it belongs, and group names come from the
# running configuration (a stub vipctl here). Usage: completion.sh VIPCTL
set -u
vipctl=${1:?usage: completion.sh VIPCTL}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../completion/vipctl.bash
source "$here/../../completion/vipctl.bash"
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A vipctl whose configuration has the groups web and db.
cat >"$tmp/vipctl" <<'STUB'
#!/bin/sh
case " $* " in *" show --json "*) echo '{"groups":[{"name":"web","devices":[]},{"name":"db","devices":[]}]}' ;; esac
STUB
chmod +x "$tmp/vipctl"

# complete WORD...: the completions of the last word after the others
complete_words()
{
	COMP_WORDS=("$tmp/vipctl" "$@")
	COMP_CWORD=$#
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_vipctl
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}

expect()
{
	local want=$1 got

	shift
	got=$(complete_words "$@")
	if [ "$got" != "$want" ]; then
		echo "not ok: vipctl $*<TAB>: got '$got', want '$want'"
		fails=$((fails + 1))
	fi
}

expect "apply dev group monitor save show vip vrrp " ""
expect "BACKUP FAULT MASTER STOP " vrrp INSTANCE VI_1 ""
expect "add del set " group ""
expect "db web " group del ""
expect "db web " dev add ""
expect "db web " -n foo vip del ""
expect "--no-local " vip add web 192.0.2.1 --n
expect "--check " apply --c
expect "--batch " --ba
expect "--force --netns " -n foo -b cmds --
expect "--garp-count --garp-interval " group set web --garp

# Every option of every command, as --help lists them, is offered.
for cmd in "group add" "group del" "group set" "vip add" "vip del" show monitor apply save vrrp; do
	for opt in $("$vipctl" $cmd --help | sed -n '/^Options:/,/^$/p' |
		     grep -o -- '--[a-z][a-z-]*' | sort -u); do
		got=$(complete_words $cmd web -- 2>/dev/null; complete_words $cmd -- )
		[[ " $got " == *" $opt "* ]] && continue
		# options whose completion starts after the group name
		got=$(complete_words $cmd web x "--")
		[[ " $got " == *" $opt "* ]] && continue
		echo "not ok: vipctl $cmd: $opt is not completed"
		fails=$((fails + 1))
	done
done
for c in $("$vipctl" --help | awk '/^Subcommands:/ { s = 1; next } s && /^  [a-z]/ { print $1 }'); do
	[[ " $(complete_words "") " == *" $c "* ]] ||
		{ echo "not ok: command $c is not completed"; fails=$((fails + 1)); }
done
[ "$fails" = 0 ] && echo "ok: completion"
exit $((fails > 0))
