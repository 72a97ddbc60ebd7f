package io.lifecyclemail.decision.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WakeUpKeysTest {
    @Test
    void everyStateGetsItsOwnShortKeyWhateverElseIsConfigured() {
        List<String> names = List.of("cart", "browse", "registration-anniversary:registered-one-year",
                "price-page-visit:price-page-visit", "since-last-purchase", "governor", "scenario-entries");
        Map<String, Integer> keys = WakeUpKeys.of(names);
        assertThat(keys.keySet()).containsExactlyInAnyOrderElementsOf(names);
        assertThat(keys.values()).doesNotHaveDuplicates().allSatisfy(key -> assertThat(key).isNotNegative());
        assertThat(WakeUpKeys.of(List.of("since-last-purchase")))
                .as("a detector keeps its key when the others change")
                .containsEntry("since-last-purchase", keys.get("since-last-purchase"));
    }

    @Test
    void theKeysOlderVersionsWroteAreReadAsTheSameCodes() {
        int cart = WakeUpKeys.of(List.of("cart")).get("cart");
        assertThat(WakeUpKeys.codeOfOlderKey("cart")).as("the state name, before the codes").isEqualTo(cart);
        assertThat(WakeUpKeys.codeOfOlderKey("#" + Integer.toString(cart, Character.MAX_RADIX)))
                .as("# and the code in base 36").isEqualTo(cart);
        assertThat(WakeUpKeys.codeOfOlderKey("#1tag0")).as("cart's key as a map index kept it").isEqualTo(cart);
    }

    @Test
    void twoStatesWithTheSameCodeStopTheJobFromStarting() {
        // "Aa" and "BB" have the same String.hashCode
        assertThatThrownBy(() -> WakeUpKeys.of(List.of("cart", "Aa", "BB")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Aa").hasMessageContaining("BB");
    }
}
