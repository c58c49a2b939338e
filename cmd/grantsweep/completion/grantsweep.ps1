# PowerShell completion for grantsweep, as "grantsweep completion powershell" prints it.
#
# Load it in this shell with:
#     grantsweep completion powershell | Out-String | Invoke-Expression
# and in every shell with that line in $PROFILE.
#
# At each Tab it asks grantsweep what fits ("grantsweep __complete --stdin", the words
# on standard input, one a line, since PowerShell drops empty arguments), so that it
# always matches the commands and flags of the grantsweep it runs.

Register-ArgumentCompleter -Native -CommandName 'grantsweep', 'grantsweep.exe' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $elements = @($commandAst.CommandElements)
    $program = $elements[0].Extent.Text
    # The words before the cursor, then the one being completed (empty after a space).
    $words = @()
    foreach ($e in ($elements | Select-Object -Skip 1)) {
        if ($e.Extent.EndOffset -lt $cursorPosition) {
            $words += $e.Extent.Text
        }
    }
    $words += $wordToComplete
    $out = @($words | & $program __complete --stdin 2>$null)
    if ($out.Count -eq 0) {
        return
    }
    $directive = $out[-1].TrimStart(':')
    $results = @()
    if ($out.Count -gt 1) {
        foreach ($line in $out[0..($out.Count - 2)]) {
            $value, $about = $line -split "`t", 2
            if (-not $about) {
                $about = $value
            }
            $results += [System.Management.Automation.CompletionResult]::new($value, $value, 'ParameterValue', $about)
        }
    }
    # With no candidate of ours where a path goes (directive 1 or 2), PowerShell
    # completes the path itself.
    $results
}
