package io.lifecyclemail.decision.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import org.junit.jupiter.api.Test;

/** The JSON Schema shipped for editors allows exactly the fields the loader allows. */
class ScenarioSchemaTest {
    @SuppressWarnings("unchecked")
    static Map<String, Object> schema() throws Exception {
        // JSON is YAML: the safe loader reads it without another dependency
        return (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(Path.of("../../deploy/schema/scenario.schema.json")));
    }

    @SuppressWarnings("unchecked")
    static List<String> properties(Map<String, Object> object) {
        return new ArrayList<>(((Map<String, Object>) object.get("properties")).keySet());
    }

    @Test
    @SuppressWarnings("unchecked")
    void schemaAndLoaderAllowTheSameFields() throws Exception {
        Map<String, Object> schema = schema();
        assertThat(properties(schema)).containsExactlyInAnyOrderElementsOf(ScenarioLoader.TOP_LEVEL_FIELDS);
        Map<String, Object> metadata = (Map<String, Object>) ((Map<String, Object>) schema.get("properties")).get("metadata");
        assertThat(properties(metadata)).containsExactlyInAnyOrderElementsOf(ScenarioLoader.METADATA_FIELDS);
        Map<String, Object> kind = (Map<String, Object>) ((Map<String, Object>) schema.get("properties")).get("kind");
        assertThat((List<String>) kind.get("enum")).containsExactlyInAnyOrderElementsOf(ScenarioLoader.KINDS);
        assertThat(properties(spec(schema, 0))).containsExactlyInAnyOrderElementsOf(withPolicy(ScenarioLoader.CART_ABANDONMENT_FIELDS));
        assertThat(properties(spec(schema, 1))).containsExactlyInAnyOrderElementsOf(withPolicy(ScenarioLoader.BROWSE_ABANDONMENT_FIELDS));
        assertThat(properties(spec(schema, 2))).containsExactlyInAnyOrderElementsOf(withPolicy(ScenarioLoader.PRICE_PAGE_VISIT_FIELDS));
        assertThat(properties(spec(schema, 3))).containsExactlyInAnyOrderElementsOf(withPolicy(ScenarioLoader.SINCE_LAST_FIELDS));
        assertThat(properties(spec(schema, 4))).containsExactlyInAnyOrderElementsOf(withPolicy(ScenarioLoader.SINCE_LAST_FIELDS));
        assertThat(properties(spec(schema, 5))).containsExactlyInAnyOrderElementsOf(withPolicy(ScenarioLoader.BIRTHDAY_FIELDS));
        assertThat(properties(spec(schema, 6))).containsExactlyInAnyOrderElementsOf(withPolicy(ScenarioLoader.POINTS_EXPIRY_FIELDS));
        Map<String, Object> postPurchase = spec(schema, 7);
        List<String> postPurchaseFields = withPolicy(ScenarioLoader.POST_PURCHASE_FIELDS);
        postPurchaseFields.remove("contentByRank"); // each step has its own template; the loader refuses it too
        postPurchaseFields.remove("variants");
        assertThat(properties(postPurchase)).containsExactlyInAnyOrderElementsOf(postPurchaseFields);
        Map<String, Object> steps = (Map<String, Object>) ((Map<String, Object>) postPurchase.get("properties")).get("steps");
        assertThat(properties((Map<String, Object>) steps.get("items")))
                .containsExactlyInAnyOrderElementsOf(ScenarioLoader.POST_PURCHASE_STEP_FIELDS);
        assertThat(properties(spec(schema, 8))).containsExactlyInAnyOrderElementsOf(withPolicy(ScenarioLoader.ANNIVERSARY_FIELDS));
        assertThat(properties(spec(schema, 9))).containsExactlyInAnyOrderElementsOf(withPolicy(ScenarioLoader.SINCE_LAST_FIELDS));
        Map<String, Object> replenishment = spec(schema, 10);
        assertThat(properties(replenishment)).containsExactlyInAnyOrderElementsOf(withPolicy(ScenarioLoader.REPLENISHMENT_FIELDS));
        Map<String, Object> consumables = (Map<String, Object>) ((Map<String, Object>) replenishment.get("properties"))
                .get("consumables");
        assertThat(properties((Map<String, Object>) consumables.get("items")))
                .containsExactlyInAnyOrderElementsOf(ScenarioLoader.CONSUMABLE_FIELDS);
        assertThat(properties(spec(schema, 11))).containsExactlyInAnyOrderElementsOf(withPolicy(ScenarioLoader.DEEP_BROWSING_FIELDS));
        assertThat(properties(spec(schema, 12))).containsExactlyInAnyOrderElementsOf(withPolicy(ScenarioLoader.RESTOCK_FIELDS));
        Map<String, Object> sequence = spec(schema, 13);
        assertThat(properties(sequence)).containsExactlyInAnyOrderElementsOf(withPolicy(ScenarioLoader.SEQUENCE_FIELDS));
        Map<String, Object> defs = (Map<String, Object>) schema.get("$defs");
        assertThat(properties((Map<String, Object>) defs.get("sequenceStep")))
                .containsExactlyInAnyOrderElementsOf(ScenarioLoader.SEQUENCE_STEP_FIELDS);
        assertThat(properties((Map<String, Object>) defs.get("sequenceEvent")))
                .containsExactlyInAnyOrderElementsOf(ScenarioLoader.THEN_NOT_EVENT_FIELDS);
        Map<String, Object> thenNot = (Map<String, Object>) ((Map<String, Object>) sequence.get("properties")).get("thenNot");
        assertThat(properties(thenNot)).containsExactlyInAnyOrderElementsOf(ScenarioLoader.THEN_NOT_FIELDS);
        assertThat(properties(spec(schema, 14))).containsExactlyInAnyOrderElementsOf(withPolicy(ScenarioLoader.RANK_CHANGE_FIELDS));
        assertThat(properties((Map<String, Object>) defs.get("audience")))
                .containsExactlyInAnyOrderElementsOf(ScenarioLoader.AUDIENCE_FIELDS);
        assertThat(properties((Map<String, Object>) defs.get("engagementRule")))
                .containsExactlyInAnyOrderElementsOf(ScenarioLoader.ENGAGEMENT_FIELDS);
        assertThat(properties((Map<String, Object>) defs.get("scoreRange")))
                .containsExactlyInAnyOrderElementsOf(ScenarioLoader.SCORE_RANGE_FIELDS);
        assertThat(properties((Map<String, Object>) ((Map<String, Object>) defs.get("contentByRank")).get("items")))
                .containsExactlyInAnyOrderElementsOf(ScenarioLoader.RANK_CONTENT_FIELDS);
        assertThat((List<String>) ((Map<String, Object>) defs.get("rank")).get("enum"))
                .containsExactlyElementsOf(ScenarioLoader.RANK_LABELS);
        assertThat((List<Object>) schema.get("allOf")).hasSameSizeAs(ScenarioLoader.KINDS);
        assertThat(properties((Map<String, Object>) ((Map<String, Object>) defs.get("caps")).get("items")))
                .containsExactlyInAnyOrderElementsOf(ScenarioLoader.CAP_FIELDS);
        assertThat(properties((Map<String, Object>) ((Map<String, Object>) defs.get("variants")).get("items")))
                .containsExactlyInAnyOrderElementsOf(ScenarioLoader.VARIANT_FIELDS);
    }

    @Test
    @SuppressWarnings("unchecked")
    void policySchemaAndLoaderAllowTheSameFields() throws Exception {
        Map<String, Object> schema = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(Path.of("../../deploy/schema/policy.schema.json")));
        assertThat(properties(schema)).containsExactlyInAnyOrderElementsOf(ScenarioLoader.TOP_LEVEL_FIELDS);
        Map<String, Object> fields = (Map<String, Object>) schema.get("properties");
        assertThat(properties((Map<String, Object>) fields.get("metadata")))
                .containsExactlyInAnyOrderElementsOf(PolicyLoader.METADATA_FIELDS);
        Map<String, Object> spec = (Map<String, Object>) fields.get("spec");
        assertThat(properties(spec)).containsExactlyInAnyOrderElementsOf(PolicyLoader.SPEC_FIELDS);
        Map<String, Object> specFields = (Map<String, Object>) spec.get("properties");
        assertThat(properties((Map<String, Object>) specFields.get("quietHours")))
                .containsExactlyInAnyOrderElementsOf(PolicyLoader.QUIET_HOURS_FIELDS);
        assertThat(properties((Map<String, Object>) ((Map<String, Object>) specFields.get("caps")).get("items")))
                .containsExactlyInAnyOrderElementsOf(ScenarioLoader.CAP_FIELDS);
    }

    static List<String> withPolicy(List<String> kindFields) {
        List<String> fields = new ArrayList<>(kindFields);
        fields.addAll(ScenarioLoader.POLICY_FIELDS);
        return fields;
    }

    /** The spec schema of the n-th kind (allOf[n].then.properties.spec). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> spec(Map<String, Object> schema, int n) {
        Map<String, Object> then = (Map<String, Object>) ((Map<String, Object>) ((List<Object>) schema.get("allOf")).get(n)).get("then");
        return (Map<String, Object>) ((Map<String, Object>) then.get("properties")).get("spec");
    }
}
