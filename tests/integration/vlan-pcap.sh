#!/bin/bash
# The VLAN matrix with real packets: skiff-dbd and skiff-vswitchd, one
# bridge of pcap ports.  One ingress port per vlan_mode (and two without
# one: with and without a tag) replays broadcast frames of every kind
# (untagged, tagged VLAN 10, tagged VLAN 20, 802.1ad VLAN 10 over 802.1Q
# VLAN 20, priority-tagged); NORMAL floods them to output ports of every
# kind, and each output's tx_pcap must hold exactly the expected frames,
# with the expected tags, byte for byte.  The expectations are those of
# tests/unit/test-vlan.c and docs/vlans.md.
#
# One switch start runs the whole matrix: the output ports are made first,
# then every ingress port in one transaction (a pcap port replays its file
# once, when it opens).  Each frame's source MAC names its ingress port and
# kind, so the frames that reach one output can be told apart.  DPDK has
# at most 32 ethdevs, hence one ingress port per mode, not per frame.

. "$srcdir/tests/integration/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
    skip "vlan-pcap" "needs root (the bridge's own port is a tap device)"
    finish
fi

schema=$srcdir/vswitchd/vswitch.schema.json
vsctl() { skiff-vsctl --timeout=30 "$@"; }
appctl() { skiff-appctl -t skiff-vswitchd "$@"; }
show_logs() {
    tail -n 30 "$TESTDIR/vswitchd.log" "$TESTDIR/vswitchd.stdout" \
        2>/dev/null | sed 's/^/# /'
}

# Ingress ports: name, then Port columns.  Their index (1-based) is byte 5
# of the source MAC of the frames they replay.
in_names=(iA iT iT10 iNT iNU iQ iQc iD iD10)
declare -A in_cfg=(
    [iA]="vlan_mode=access tag=10"
    [iT]="vlan_mode=trunk"
    [iT10]="vlan_mode=trunk trunks=10"
    [iNT]="vlan_mode=native-tagged tag=10"
    [iNU]="vlan_mode=native-untagged tag=10"
    [iQ]="vlan_mode=dot1q-tunnel tag=100"
    [iQc]="vlan_mode=dot1q-tunnel tag=100 cvlans=10"
    [iD]=""                     # No vlan_mode, no tag: a trunk.
    [iD10]="tag=10"             # No vlan_mode, a tag: access.
)
# Output ports, one of each kind.
out_names=(oA10 oA20 oT oT10 oNU oNT oQ oQc)
declare -A out_cfg=(
    [oA10]="vlan_mode=access tag=10"
    [oA20]="vlan_mode=access tag=20"
    [oT]="vlan_mode=trunk"
    [oT10]="vlan_mode=trunk trunks=10"
    [oNU]="vlan_mode=native-untagged tag=10"
    [oNT]="vlan_mode=native-tagged tag=10"
    [oQ]="vlan_mode=dot1q-tunnel tag=100"
    [oQc]="vlan_mode=dot1q-tunnel tag=100 cvlans=10"
)

# Ingress kinds (byte 6 of the source MAC) and their tags, outermost first
# (TPID:VID[pPCP]; "-" for none).
kinds=(untagged tag10 tag20 double prio)
declare -A kind_tags=(
    [untagged]="-"
    [tag10]="8100:10"
    [tag20]="8100:20"
    [double]="88a8:10,8100:20"
    [prio]="8100:0p3"
)

# Where NORMAL puts each frame (docs/vlans.md, tests/unit/test-vlan.c):
# "VLAN TPID PCP INNER" -- the VLAN it is in, the TPID and PCP of a tag
# added on output, and the tags kept inside -- or "drop".
declare -A ingress=(
    [iA/untagged]="10 8100 0 -"
    [iA/tag10]=drop
    [iA/tag20]=drop
    [iA/double]=drop
    [iA/prio]="10 8100 3 -"
    [iT/untagged]="0 8100 0 -"
    [iT/tag10]="10 8100 0 -"
    [iT/tag20]="20 8100 0 -"
    [iT/double]="10 88a8 0 8100:20"
    [iT/prio]="0 8100 3 -"
    [iT10/untagged]=drop
    [iT10/tag10]="10 8100 0 -"
    [iT10/tag20]=drop
    [iT10/double]="10 88a8 0 8100:20"
    [iT10/prio]=drop
    [iQ/untagged]="100 88a8 0 -"
    [iQ/tag10]="100 88a8 0 8100:10"
    [iQ/tag20]="100 88a8 0 8100:20"
    [iQ/double]="100 88a8 0 88a8:10,8100:20"
    [iQ/prio]="100 88a8 0 8100:0p3"
    [iQc/untagged]=drop
    [iQc/tag10]="100 88a8 0 8100:10"
    [iQc/tag20]=drop
    [iQc/double]="100 88a8 0 88a8:10,8100:20"
    [iQc/prio]=drop
)
for kind in "${kinds[@]}"; do  # Without vlan_mode: as trunk and access.
    ingress[iD/$kind]=${ingress[iT/$kind]}
    ingress[iD10/$kind]=${ingress[iA/$kind]}
done
for p in iNT iNU; do        # Both native modes receive alike.
    ingress[$p/untagged]="10 8100 0 -"
    ingress[$p/tag10]="10 8100 0 -"
    ingress[$p/tag20]="20 8100 0 -"
    ingress[$p/double]="10 88a8 0 8100:20"
    ingress[$p/prio]="10 8100 3 -"
done
# How each output port sends each VLAN it carries: u untagged, t tagged.
declare -A egress=(
    [oA10/10]=u
    [oA20/20]=u
    [oT/0]=u [oT/10]=t [oT/20]=t [oT/100]=t
    [oT10/10]=t
    [oNU/0]=u [oNU/10]=u [oNU/20]=t [oNU/100]=t
    [oNT/0]=u [oNT/10]=t [oNT/20]=t [oNT/100]=t
    [oQ/100]=u
    [oQc/100]=u
)

# The frame: broadcast IPv4/UDP, 32 bytes of payload.  Tags go after the
# MAC addresses.
base=$(pcap-tool udp 02:00:00:00:00:00 ff:ff:ff:ff:ff:ff 10.0.0.1 \
       10.0.0.255 1000 2000 32)
if [ ${#base} -ne 148 ]; then
    not_ok "pcap-tool makes the frame"
    finish
fi
body=${base:24}

# tags_hex TAGS: the bytes of a tag list.
tags_hex() {
    local t tpid vid pcp out=
    [ "$1" = - ] && return
    for t in ${1//,/ }; do
        tpid=${t%%:*}
        vid=${t#*:}
        pcp=0
        case $vid in *p*) pcp=${vid#*p}; vid=${vid%p*} ;; esac
        out+=$(printf '%s%04x' "$tpid" $((pcp << 13 | vid)))
    done
    printf '%s' "$out"
}

# summarize LOCAL_MAC: reads frames in hex, prints "INGRESS KIND TAGS" for
# each (or the whole frame when it is not one of ours, unchanged but for
# tags).  Frames from LOCAL_MAC, the bridge's own port (the kernel sends
# IPv6 multicast from the tap device), are left out.
summarize() {
    local local_mac=${1//:/} h src rest tags tci tag pcp i k
    while read -r h; do
        src=${h:12:12}
        [ "$src" = "$local_mac" ] && continue
        rest=${h:24}
        tags=
        while [ "${rest:0:4}" = 8100 ] || [ "${rest:0:4}" = 88a8 ]; do
            tci=$((16#${rest:4:4}))
            pcp=$((tci >> 13))
            tag=${rest:0:4}:$((tci & 0xfff))
            [ $pcp -ne 0 ] && tag+=p$pcp
            [ $((tci & 0x1000)) -ne 0 ] && tag+=d      # DEI: never set.
            tags+=${tags:+,}$tag
            rest=${rest:8}
        done
        i=$((16#${src:8:2}))
        k=$((16#${src:10:2}))
        if [ "${h:0:12}" != ffffffffffff ] || [ "${src:0:8}" != 02000000 ] \
           || [ "$rest" != "$body" ] || [ "$i" -lt 1 ] \
           || [ "$i" -gt ${#in_names[@]} ] || [ "$k" -lt 1 ] \
           || [ "$k" -gt ${#kinds[@]} ]; then
            echo "unexpected frame $h"
            continue
        fi
        echo "${in_names[i - 1]} ${kinds[k - 1]} ${tags:--}"
    done
}

# Inputs and expected outputs.
declare -A expected=() n_expected=() frame_hex=()
for o in "${out_names[@]}"; do
    expected[$o]=
    n_expected[$o]=0
done
n_cases=0
for i in "${!in_names[@]}"; do
    p=${in_names[i]}
    frames=()
    for k in "${!kinds[@]}"; do
        kind=${kinds[k]}
        src=$(printf '02000000%02x%02x' $((i + 1)) $((k + 1)))
        tags=$(tags_hex "${kind_tags[$kind]}")
        frame_hex[$p/$kind]=ffffffffffff$src$tags$body
        frames+=("${frame_hex[$p/$kind]}")
        n_cases=$((n_cases + 1))
        [ "${ingress[$p/$kind]}" = drop ] && continue
        read -r vlan tpid pcp inner <<<"${ingress[$p/$kind]}"
        for o in "${out_names[@]}"; do
            how=${egress[$o/$vlan]:-}
            [ -n "$how" ] || continue
            tags=$inner
            if [ "$how" = t ]; then
                tag=$tpid:$vlan
                [ "$pcp" -ne 0 ] && tag+=p$pcp
                [ "$inner" = - ] && tags=$tag || tags=$tag,$inner
            fi
            expected[$o]+="$p $kind $tags"$'\n'
            n_expected[$o]=$((n_expected[$o] + 1))
        done
    done
    if ! pcap-tool write "$TESTDIR/$p.pcap" "${frames[@]}"; then
        not_ok "pcap-tool writes $p.pcap"
        finish
    fi
done

# Start.
if ! start_daemon dbd skiff-dbd --db="$TESTDIR/conf.db" --schema="$schema" \
        --pidfile --log-file="$TESTDIR/dbd.log" ||
   ! wait_for "skiff-dbd's socket" 20 test -S "$TESTDIR/db.sock"; then
    not_ok "skiff-dbd starts"
    finish
fi
check "initialize the database, PMD on core 1" vsctl --no-wait init -- \
    set Open_vSwitch . other_config:pmd-cpu-mask=0x2 \
    other_config:pmd-maxsleep=100
start_daemon vswitchd skiff-vswitchd --pidfile \
    --log-file="$TESTDIR/vswitchd.log"
VSWITCHD_PID=$DAEMON_PID
if wait_for "skiff-vswitchd's control socket" 30 appctl version; then
    ok "skiff-vswitchd starts"
else
    not_ok "skiff-vswitchd starts"
    show_logs
    finish
fi

# The output ports first, so that every one is there when the ingress
# ports replay.
br=vbr$$
args=(add-br "$br")
for o in "${out_names[@]}"; do
    args+=(-- add-port "$br" "$o" ${out_cfg[$o]}
           -- set Interface "$o" type=pcap
              "options:tx_pcap=$TESTDIR/$o.out.pcap")
done
check "a bridge with ${#out_names[@]} output pcap ports" vsctl "${args[@]}"
local_mac=$(cat "/sys/class/net/$br/address" 2>/dev/null)
check_output "the bridge's own port is a tap device" \
    '^([0-9a-f]{2}:){5}[0-9a-f]{2}$' echo "$local_mac"
# The evidence for frames dropped at a port's start (see below).
check "log upcalls" appctl vlog/set ofproto_upcall:file:dbg

# add_ingress SUFFIX PORT...: adds the ingress PORTs as PORT$SUFFIX,
# replaying $TESTDIR/PORT$SUFFIX.pcap, in one transaction.
add_ingress() {
    local suffix=$1 p args=()
    shift
    for p; do
        args+=(${args[0]:+--} add-port "$br" "$p$suffix" ${in_cfg[$p]}
               -- set Interface "$p$suffix" type=pcap
                  "options:rx_pcap=$TESTDIR/$p$suffix.pcap")
    done
    vsctl "${args[@]}"
}
check "${#in_names[@]} ingress pcap ports: each vlan_mode, and none" \
    add_ingress "" "${in_names[@]}"
for p in "${in_names[@]}" "${out_names[@]}"; do
    check_output "$p has no error" '^\[\]$' vsctl get Interface "$p" error
done

# Our frames on output O so far (the bridge's own port's left out).
ours() {
    pcap-tool print "$TESTDIR/$1.out.pcap" 2>/dev/null |
        awk -v mac="${local_mac//:/}" 'substr($0, 13, 12) != mac' |
        awk 'END {print NR}'
}
all_arrived() {
    local o
    for o in "${out_names[@]}"; do
        [ "$(ours "$o")" -ge "${n_expected[$o]}" ] || return 1
    done
}
# skiff-vswitchd polls a new port only once its bridge has it, so every
# frame of every rx_pcap reaches the slow path: none may come from a port
# no bridge has yet.
wait_for "the flooded frames" 10 all_arrived
check_fails "no frame arrived before its port was in the bridge" 1 \
    grep -q 'which no bridge has' "$TESTDIR/vswitchd.log"
if all_arrived; then
    ok "every output port got at least its frames"
else
    not_ok "every output port got at least its frames"
    for o in "${out_names[@]}"; do
        echo "# $o: $(ours "$o") of ${n_expected[$o]}"
    done
    appctl dpctl/dump-flows 2>&1 | sed 's/^/# /'
fi
sleep 0.5               # Room for a frame that should not come.
check "skiff-vswitchd exits on request" appctl exit
if wait_exit "$VSWITCHD_PID" 20; then
    ok "skiff-vswitchd exits cleanly, closing its ports"
else
    not_ok "skiff-vswitchd exits cleanly, closing its ports"
fi

# The matrix, port by port.
for o in "${out_names[@]}"; do
    printf '%s' "${expected[$o]}" | sort >"$TESTDIR/$o.want"
    pcap-tool print "$TESTDIR/$o.out.pcap" | summarize "$local_mac" | sort \
        >"$TESTDIR/$o.got"
    check "$o (${out_cfg[$o]}): exactly its ${n_expected[$o]} frames" \
        diff -u "$TESTDIR/$o.want" "$TESTDIR/$o.got"
done
echo "# $n_cases ingress cases x ${#out_names[@]} output ports"

if grep -q "ERROR: AddressSanitizer\|runtime error:\|LeakSanitizer" \
        "$TESTDIR/vswitchd.stdout"; then
    not_ok "no sanitizer report"
    grep -A20 "Sanitizer\|runtime error" "$TESTDIR/vswitchd.stdout" |
        sed 's/^/# /' | head -60
else
    ok "no sanitizer report"
fi
finish
