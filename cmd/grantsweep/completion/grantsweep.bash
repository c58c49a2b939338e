# bash completion for grantsweep, as "grantsweep completion bash" prints it.
#
# Load it in this shell with:  source <(grantsweep completion bash)
# and in every shell with that line in ~/.bashrc, or with the script itself in
# ~/.local/share/bash-completion/completions/grantsweep.
#
# At each Tab it asks grantsweep what fits ("grantsweep __complete WORD..."), so that
# it always matches the commands and flags of the grantsweep it runs.

_grantsweep() {
    local cur=${COMP_WORDS[COMP_CWORD]}
    # After "--flag=", bash's current word is "=", and what it replaces is what follows.
    [[ $cur == "=" ]] && cur=
    # The words as typed up to the cursor ("--format=json" is one word here).
    local line=${COMP_LINE:0:COMP_POINT}
    local -a words
    read -r -a words <<< "$line"
    [[ -z $line || $line == *[[:space:]] ]] && words+=("")
    [[ ${words[0]} == "~/"* ]] && words[0]=$HOME/${words[0]#"~/"}
    # What bash does not replace of the word being completed: "--format=" before "js".
    local word=${words[${#words[@]}-1]}
    local prefix=${word%"$cur"}
    local out
    out=$("${words[0]}" __complete "${words[@]:1}" 2>/dev/null) || return 0
    local directive=${out##*:}
    COMPREPLY=()
    local cand
    while IFS= read -r cand; do
        case $cand in :*) continue ;; esac
        cand=${cand%%$'\t'*}
        [[ $cand == "$prefix"* ]] && COMPREPLY+=("${cand#"$prefix"}")
    done <<< "$out"
    case $directive in
    1)
        compopt -o filenames 2>/dev/null
        mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -- "$cur")
        ;;
    2)
        compopt -o filenames 2>/dev/null
        mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -d -- "$cur")
        ;;
    esac
    return 0
}

complete -F _grantsweep grantsweep
