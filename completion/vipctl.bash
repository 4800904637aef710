# bash completion for vipctl(8): commands, options, and where it makes
# sense their values: group names from the running configuration, device
# names, configuration files.
# SPDX-License-Identifier: GPL-2.0

# The groups of the namespace vipctl works in (its -n NETNS, if given).
_vipctl_groups()
{
	"$1" ${2:+-n "$2"} show --json 2>/dev/null |
		grep -o '"name":"[^"]*"' | sed 's/"name":"\(.*\)"/\1/'
}

_vipctl_devices()
{
	if [ -n "${1:-}" ]; then
		ip -n "$1" -o link show 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'
	else
		ls /sys/class/net 2>/dev/null
	fi
}

_vipctl()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null; then
		_init_completion || return
	else
		cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
		words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
	fi

	local vipctl=${words[0]} netns="" batch="" i cmd="" sub="" nargs=0
	# The command, its subcommand, the -n NETNS before them, and how many
	# positional arguments came after them.
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-n|--netns)	netns=${words[i + 1]}; i=$((i + 1)) ;;
		-b|--batch)	batch=1; i=$((i + 1)) ;;
		-*)		;;
		*)	if [ -z "$cmd" ]; then
				cmd=${words[i]}
			elif [ -z "$sub" ] && [[ $cmd == @(group|dev|vip) ]]; then
				sub=${words[i]}
			else
				case ${words[i - 1]} in
				--dev|--vip|--garp-count|--garp-interval|--carrier-poll|--reply-rate|--up-delay|--wait|-o|--output|-c|--config|--fifo) ;;
				*) nargs=$((nargs + 1)) ;;
				esac
			fi ;;
		esac
	done

	case $prev in
	-n|--netns)
		COMPREPLY=($(compgen -W "$(ip netns list 2>/dev/null | awk '{ print $1 }')" -- "$cur"))
		return ;;
	--dev)
		COMPREPLY=($(compgen -W "$(_vipctl_devices "$netns")" -- "${cur##*,}"))
		# after a comma: complete the last element of the list
		if [[ $cur == *,* ]]; then
			COMPREPLY=("${COMPREPLY[@]/#/${cur%,*},}")
		fi
		return ;;
	-o|--output|-c|--config|--fifo|-b|--batch)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	--vip|--garp-count|--garp-interval|--carrier-poll|--reply-rate|--up-delay|--wait)
		return ;;
	esac

	local opts
	case $cmd in
	"")
		# -b FILE: the commands are in FILE
		if [ -n "$batch" ]; then
			opts="--force -n --netns"
		else
			opts="group dev vip show monitor apply save vrrp -n --netns -b --batch --force --version --help"
		fi ;;
	group)
		case $sub in
		"")	opts="add del set" ;;
		add)	opts="--dev --vip --garp-count --garp-interval --carrier-poll --reply-rate --up-delay --no-local --help" ;;
		set)	opts="--garp-count --garp-interval --carrier-poll --reply-rate --up-delay --help" ;;
		del)	opts="--help" ;;
		esac
		if [[ $sub == @(del|set) && $nargs == 0 && $cur != -* ]]; then
			opts=$(_vipctl_groups "$vipctl" "$netns")
		fi ;;
	dev|vip)
		# NAME, then devices (dev) or addresses (vip: nothing to offer)
		if [ -z "$sub" ]; then
			opts="add del"
		elif [ "$nargs" = 0 ]; then
			opts=$(_vipctl_groups "$vipctl" "$netns")
		elif [ "$cmd" = dev ]; then
			opts="$(_vipctl_devices "$netns") --help"
		else
			opts="--no-local --help"
		fi ;;
	show)
		opts="--json --pretty --stats --prometheus --output --help"
		[ "$nargs" = 0 ] && opts="$opts $(_vipctl_groups "$vipctl" "$netns")" ;;
	monitor)
		opts="--json --journal --help" ;;
	apply)
		if [[ $cur == -* ]]; then
			opts="--check --wait --help"
		else
			COMPREPLY=($(compgen -f -- "$cur"))
			return
		fi ;;
	save)
		opts="--help" ;;
	vrrp)
		# keepalived runs it; by hand: INSTANCE NAME STATE
		case $nargs in
		0)	opts="INSTANCE GROUP --config --fifo --help" ;;
		2)	opts="MASTER BACKUP FAULT STOP" ;;
		*)	opts="--config --fifo --help" ;;
		esac ;;
	esac
	# Options only once a dash is typed.
	local o words_=()
	for o in $opts; do
		[[ $o == -* && $cur != -* ]] || words_+=("$o")
	done
	COMPREPLY=($(compgen -W "${words_[*]}" -- "$cur"))
}

complete -F _vipctl vipctl
