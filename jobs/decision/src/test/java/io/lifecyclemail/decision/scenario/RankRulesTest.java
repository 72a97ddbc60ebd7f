package io.lifecyclemail.decision.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifecyclemail.decision.rfm.CustomerRanks.Rank;
import io.lifecyclemail.state.RankStanding;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Audience by rank and scores, content by rank, the no-discount-to-loyal rule, and RankChange, from YAML. */
class RankRulesTest {
    static final String CART = """
            apiVersion: lifecyclemail.io/v1
            kind: CartAbandonment
            metadata:
              id: cart-coupon
            spec:
              wait: 2h
              template: cart-coupon
              discount: true
              audience:
                ranks: [super-loyal, loyal, non-loyal, settled]
                recencyScore: {min: 2}
                purchases: afterBranchingPoint
              contentByRank:
                - ranks: [super-loyal]
                  template: cart-story
            """;

    static RankStanding standing(String rank, int r, int frequency, int point) {
        return new RankStanding("c", 0L, rank, null, r, 3, 3, frequency, point);
    }

    @Test
    void theAudienceAdmitsByRankScoresAndBranchingPointAndSaysWhyNot() {
        ScenarioPolicy policy = ScenarioLoader.parse("cart.yaml", CART).policy();
        Audience audience = policy.audience();
        assertThat(audience.excludes(standing("loyal", 3, 4, 3))).isNull();
        assertThat(audience.excludes(standing("loyal-candidate", 3, 4, 3))).contains("rank loyal-candidate is not one of");
        assertThat(audience.excludes(standing("loyal", 1, 4, 3))).isEqualTo("recency score 1 is outside 2-5");
        assertThat(audience.excludes(standing("settled", 3, 2, 3))).isEqualTo("2 purchases is before the branching point 3");
        assertThat(audience.excludes(standing("settled", 3, 2, 0))).as("no point measured: 2, a repeat").isNull();
        assertThat(audience.excludes(null)).contains("rank unranked").contains("no RFM scores yet")
                .contains("no purchase is after the branching point");
        assertThat(Audience.EVERYONE.excludes(null)).isNull();
    }

    @Test
    void contentByRankAndNoDiscountToTheLoyalRanksUnlessTheScenarioSaysSo() {
        ScenarioPolicy policy = ScenarioLoader.parse("cart.yaml", CART).policy();
        assertThat(policy.contentFor(Rank.SUPER_LOYAL, "cart-coupon")).isEqualTo(new ScenarioPolicy.Content("cart-story", false, null));
        assertThat(policy.contentFor(Rank.LOYAL, "cart-coupon").withheldBecause())
                .contains("discount content").contains("loyal").contains("discountToLoyal");
        assertThat(policy.contentFor(Rank.SETTLED, "cart-coupon")).isEqualTo(new ScenarioPolicy.Content("cart-coupon", true, null));
        assertThat(policy.contentFor(null, "cart-coupon").withheldBecause()).as("unranked: not loyal").isNull();
        ScenarioPolicy allowed = ScenarioLoader.parse("cart.yaml", CART.replace("discount: true", "discount: true\n  discountToLoyal: true")).policy();
        assertThat(allowed.contentFor(Rank.LOYAL, "cart-coupon")).isEqualTo(new ScenarioPolicy.Content("cart-coupon", true, null));
    }

    @Test
    void badRankRulesAreRefusedWithFileLineAndField() {
        assertThatThrownBy(() -> ScenarioLoader.parse("cart.yaml", CART.replace("settled]", "vip]")))
                .hasMessageContaining("cart.yaml:10: spec.audience.ranks[3]: 'vip' is not allowed; expected one of super-loyal, loyal, loyal-candidate, settled, non-loyal, unranked");
        assertThatThrownBy(() -> ScenarioLoader.parse("cart.yaml", CART.replace("{min: 2}", "{min: 4, max: 2}")))
                .hasMessageContaining("cart.yaml:11: spec.audience.recencyScore.min: min 4 is above max 2");
        assertThatThrownBy(() -> ScenarioLoader.parse("cart.yaml", CART.replace("afterBranchingPoint", "later")))
                .hasMessageContaining("cart.yaml:12: spec.audience.purchases:");
        assertThatThrownBy(() -> ScenarioLoader.parse("cart.yaml", CART.replace("template: cart-story", "tmpl: cart-story")))
                .hasMessageContaining("spec.contentByRank[0].template: is required");
    }

    @Test
    void aRankChangeNamesWhereTheCustomerComesFromAndGoesTo() {
        RankChangeScenario scenario = (RankChangeScenario) ScenarioLoader.parse("loyal.yaml", """
                apiVersion: lifecyclemail.io/v1
                kind: RankChange
                metadata:
                  id: became-loyal
                spec:
                  from: [loyal-candidate, settled]
                  to: [loyal, super-loyal]
                  template: welcome-loyal
                """);
        assertThat(scenario.from()).isEqualTo(Set.of(Rank.LOYAL_CANDIDATE, Rank.SETTLED));
        assertThat(scenario.matches(Rank.LOYAL_CANDIDATE, Rank.LOYAL)).isTrue();
        assertThat(scenario.matches(null, Rank.LOYAL)).as("a first rank is not a change").isFalse();
        assertThat(scenario.matches(Rank.LOYAL, Rank.SUPER_LOYAL)).isFalse();
        assertThatThrownBy(() -> ScenarioLoader.parse("loyal.yaml", """
                apiVersion: lifecyclemail.io/v1
                kind: RankChange
                metadata:
                  id: became-loyal
                spec:
                  to: []
                  template: welcome-loyal
                """)).hasMessageContaining("loyal.yaml:6: spec.from: is required")
                .hasMessageContaining("loyal.yaml:6: spec.to: must name at least one of");
    }

    @Test
    void validateWarnsWhereDiscountContentMeetsTheLoyalRanks(@TempDir Path folder) throws Exception {
        Files.writeString(folder.resolve("a.yaml"), CART);
        Files.writeString(folder.resolve("b.yaml"), CART.replace("cart-coupon", "cart-all").replace("discount: true",
                "discount: true\n  discountToLoyal: true\n  priority: 60"));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        ValidateScenarios.run(List.of(folder.toString()), new PrintStream(printed, true, StandardCharsets.UTF_8));
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("warning " + folder.resolve("a.yaml") + ":8: spec.discount: loyal customers in this audience get no mail")
                .contains("warning " + folder.resolve("b.yaml") + ":9: spec.discountToLoyal: discount content goes to loyal customers");
    }
}
