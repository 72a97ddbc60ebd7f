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
        Map<String, String> keys = WakeUpKeys.of(names);
        assertThat(keys.keySet()).containsExactlyInAnyOrderElementsOf(names);
        assertThat(keys.values()).doesNotHaveDuplicates()
                .allSatisfy(key -> assertThat(key).startsWith("#").hasSizeLessThanOrEqualTo(7));
        assertThat(WakeUpKeys.of(List.of("since-last-purchase")))
                .as("a detector keeps its key when the others change")
                .containsEntry("since-last-purchase", keys.get("since-last-purchase"));
    }

    @Test
    void twoStatesWithTheSameCodeStopTheJobFromStarting() {
        // "Aa" and "BB" have the same String.hashCode
        assertThatThrownBy(() -> WakeUpKeys.of(List.of("cart", "Aa", "BB")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Aa").hasMessageContaining("BB");
    }
}
