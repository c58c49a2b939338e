# fish completion for grantsweep, as "grantsweep completion fish" prints it.
#
# Load it with:  grantsweep completion fish > ~/.config/fish/completions/grantsweep.fish
# or in this shell with:  grantsweep completion fish | source
#
# At each Tab it asks grantsweep what fits ("grantsweep __complete WORD..."), so that
# it always matches the commands and flags of the grantsweep it runs.

function __grantsweep_complete
    set -l words (commandline -opc)
    set -l current (commandline -ct)
    set -l program $words[1]
    set -e words[1]
    set -l out ($program __complete $words "$current" 2>/dev/null)
    or return
    set -l directive (string sub -s 2 -- $out[-1])
    set -e out[-1]
    for line in $out
        echo $line
    end
    if contains -- "$directive" 1 2
        # After --flag=, the path is what follows the "=".
        set -l flag (string match -r -- '^--[^=]*=' "$current")
        set -l path (string replace -r -- '^--[^=]*=' '' "$current")
        if test "$directive" = 2
            for p in (__fish_complete_directories "$path")
                echo "$flag$p"
            end
        else
            for p in (__fish_complete_path "$path")
                echo "$flag$p"
            end
        end
    end
end

complete -c grantsweep -f -a '(__grantsweep_complete)'
