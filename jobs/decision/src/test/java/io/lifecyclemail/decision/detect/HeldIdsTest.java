package io.lifecyclemail.decision.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HeldIdsTest {
    @Test
    void theHashOfAnIdNeverChangesBecauseSavepointsHoldIt() {
        // values this version stores (computed apart: FNV-1a 64, then MurmurHash3's fmix64); a different
        // function would miss copies of events held before an upgrade
        assertThat(HeldIds.hash("e1")).isEqualTo(HeldIds.hash(new String("e1")));
        assertThat(HeldIds.hash("")).isEqualTo(0xefd01f60ba992926L);
        assertThat(HeldIds.hash("e1")).isEqualTo(0x50295bda7c69a087L);
    }

    @Test
    void distinctIdsOfAShopGetDistinctHashes() {
        Set<Long> hashes = new HashSet<>();
        for (int i = 0; i < 1_000_000; i++) {
            hashes.add(HeldIds.hash("e" + i));
        }
        assertThat(hashes).hasSize(1_000_000);
    }

    @Test
    void spansPackAndUnpackAsTheyWere() {
        HeldIds ids = HeldIds.NONE.with(5_000, new long[] {-1, 2}).with(-3, new long[] {Long.MIN_VALUE})
                .with(5_000, new long[] {Long.MAX_VALUE}).with(9_000_000_000_000L, new long[0]);
        HeldIds read = HeldIds.unpack(ids.pack());
        assertThat(read.spans()).containsExactly(-3, 5_000, 9_000_000_000_000L);
        assertThat(read.count()).isEqualTo(4);
        assertThat(java.util.List.of(-1L, 2L, Long.MIN_VALUE, Long.MAX_VALUE)).allMatch(read::holds);
        assertThat(read.holds(0)).isFalse();
        assertThat(read.after(5_000).spans()).containsExactly(9_000_000_000_000L);
        assertThat(read.after(5_000).holds(2)).isFalse();
        assertThat(read.after(-4)).isSameAs(read);
        assertThat(read.after(Long.MAX_VALUE)).isSameAs(HeldIds.NONE);
        assertThat(HeldIds.NONE.pack()).isSameAs(StateValues.NO_BYTES);
        assertThat(HeldIds.unpack(StateValues.NO_BYTES)).isSameAs(HeldIds.NONE);
    }
}
