package io.lifecyclemail.decision.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.schema.Product;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StateValuesTest {
    @Test
    void appendingMakesANewListAndLeavesTheOldOneAsItWas() {
        List<String> before = List.of("a");
        List<String> after = StateValues.appended(before, "b");
        assertThat(after).containsExactly("a", "b");
        assertThat(before).containsExactly("a");
        assertThat(StateValues.appended(List.of(), "a")).containsExactly("a");
    }

    @Test
    void keepingReturnsTheSameListWhenAllStayTheSharedEmptyOneWhenNoneDoAndElseANewOne() {
        List<Integer> numbers = new ArrayList<>(List.of(1, 2, 3));
        assertThat(StateValues.kept(numbers, n -> n > 0)).isSameAs(numbers);
        assertThat(StateValues.kept(numbers, n -> n > 5)).isSameAs(List.of());
        List<Integer> odd = StateValues.kept(numbers, n -> n % 2 == 1);
        assertThat(odd).containsExactly(1, 3);
        assertThat(numbers).as("not changed in place").containsExactly(1, 2, 3);
        assertThat(StateValues.compact(new ArrayList<>())).isSameAs(List.of());
        assertThat(StateValues.compact(numbers)).isSameAs(numbers);
    }

    @Test
    void equalValuesAreOneInstanceAndSharingStartsOverOnceTheLimitIsReached() {
        StateValues.Shared<String> strings = new StateValues.Shared<>(2);
        String tokyo = strings.of(new String("Asia/Tokyo"));
        assertThat(strings.of(new String("Asia/Tokyo"))).isSameAs(tokyo);
        String berlin = strings.of(new String("Europe/Berlin"));
        assertThat(strings.of(new String("Europe/Berlin"))).isSameAs(berlin);
        String paris = strings.of(new String("Europe/Paris"));
        assertThat(strings.of(new String("Europe/Paris"))).as("a third: shared from then on").isSameAs(paris);
        String tokyoAgain = new String("Asia/Tokyo");
        assertThat(strings.of(tokyoAgain)).as("started over: the first is no longer known").isSameAs(tokyoAgain);
        assertThat(strings.of(null)).isNull();
    }

    @Test
    void productsAsShownAreSharedOnlyWhenEveryFieldIsEqual() {
        Product cup = Product.newBuilder().setProductId("cup").setName("Cup").setUnitPriceMinor(500L).build();
        Product sameCup = Product.newBuilder(cup).build();
        Product cheaperCup = Product.newBuilder(cup).setUnitPriceMinor(400L).build();
        Product shared = StateValues.shared(cup);
        assertThat(StateValues.shared(sameCup)).isSameAs(shared);
        assertThat(StateValues.shared(cheaperCup)).as("another price: another product as shown")
                .isNotSameAs(shared).isEqualTo(cheaperCup);
    }

    @Test
    void theSharedEmptyBufferStaysEmptyAndIsWhatEmptyPackedTimesAre() {
        assertThat(StateValues.NO_BYTES.capacity()).isZero();
        assertThat(WakeUpIndex.packTimes(new long[0])).isSameAs(StateValues.NO_BYTES);
        assertThat(WakeUpIndex.EMPTY.pack()).isSameAs(StateValues.NO_BYTES);
        assertThat(WakeUpIndex.unpackTimes(StateValues.NO_BYTES)).isEmpty();
    }
}
