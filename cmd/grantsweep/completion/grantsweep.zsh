#compdef grantsweep
# zsh completion for grantsweep, as "grantsweep completion zsh" prints it.
#
# Load it with:  grantsweep completion zsh > "${fpath[1]}/_grantsweep"  (a new shell
# finds it), or with:  source <(grantsweep completion zsh)  after compinit in ~/.zshrc.
#
# At each Tab it asks grantsweep what fits ("grantsweep __complete WORD..."), so that
# it always matches the commands and flags of the grantsweep it runs.

_grantsweep() {
  local out directive line value ret=1
  local -a lines specs
  out=$("${words[1]}" __complete "${(@)words[2,CURRENT]}" 2>/dev/null) || return 1
  lines=("${(@f)out}")
  directive=${lines[-1]#:}
  for line in "${(@)lines[1,-2]}"; do
    value=${line%%$'\t'*}
    value=${value//:/\\:}
    if [[ $line == *$'\t'* ]]; then
      specs+=("$value:${line#*$'\t'}")
    else
      specs+=("$value")
    fi
  done
  if (( ${#specs} )); then
    _describe -t values grantsweep specs && ret=0
  fi
  if [[ $directive == 1 || $directive == 2 ]]; then
    [[ $PREFIX == --*=* ]] && compset -P '*='
    if [[ $directive == 2 ]]; then
      _files -/ && ret=0
    else
      _files && ret=0
    fi
  fi
  return ret
}

if [[ ${zsh_eval_context[-1]} == loadautofunc ]]; then
  _grantsweep "$@"
else
  compdef _grantsweep grantsweep
fi
