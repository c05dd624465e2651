# The README's main command, as CI runs it: ./try.sh -c tests/release/steps.cmd
sys
bt
ps | head
log | tail
