package io.lifecyclemail.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.common.options.Settings;
import io.lifecyclemail.decision.DecisionOptions;
import io.lifecyclemail.delivery.DeliveryOptions;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * deploy/kubernetes, checked offline: the FlinkDeployments against the operator's CRD schema
 * (structure, types, enums, required fields; the CRD comes from the newest operator API jar on
 * Maven Central, 1.10.0, which predates Flink 2, so only {@code flinkVersion}'s enum is checked
 * against the operator 1.14 value instead), their job arguments against the jobs' own option
 * parsers, their Flink configuration against deploy/flink/config.yaml, and the KafkaTopics
 * against deploy/kafka/topics.conf.
 */
class KubernetesResourcesTest {
    static final Path ROOT = Path.of("../..");
    static final Path KUBERNETES = ROOT.resolve("deploy/kubernetes");

    @Test
    void flinkDeploymentsMatchTheOperatorsSchema() throws Exception {
        Map<String, Object> schema = deploymentSchema();
        for (String file : List.of("decision.yaml", "delivery.yaml")) {
            Map<String, Object> deployment = documents(KUBERNETES.resolve(file)).get(0);
            assertThat(deployment.get("flinkVersion")).isNull();
            Map<String, Object> spec = map(deployment.get("spec"));
            assertThat(spec.get("flinkVersion")).as(file).isEqualTo("v2_2");
            // the 1.10 schema knows Flink versions up to v1_20 only: the rest of the spec is checked against it
            Map<String, Object> checkedSpec = new LinkedHashMap<>(spec);
            checkedSpec.remove("flinkVersion");
            List<String> problems = new ArrayList<>();
            validate(checkedSpec, specSchema(schema), ".spec", problems);
            assertThat(problems).as(file).isEmpty();
            assertThat(deployment.get("kind")).isEqualTo("FlinkDeployment");
            assertThat(deployment.get("apiVersion")).isEqualTo("flink.apache.org/v1beta1");
            assertThat(map(spec.get("job")).get("upgradeMode")).as(file).isEqualTo("savepoint");
        }
    }

    @Test
    void theValidatorRejectsWhatTheSchemaForbids() throws Exception {
        Map<String, Object> schema = deploymentSchema();
        Map<String, Object> bad = documents(KUBERNETES.resolve("decision.yaml")).get(0);
        Map<String, Object> spec = new LinkedHashMap<>(map(bad.get("spec")));
        spec.remove("flinkVersion");
        Map<String, Object> job = new LinkedHashMap<>(map(spec.get("job")));
        job.put("upgradeMode", "keep-it");
        job.put("parallelism", "two");
        job.put("jarUri", "local:///typo.jar");
        spec.put("job", job);
        List<String> problems = new ArrayList<>();
        validate(spec, specSchema(schema), ".spec", problems);
        assertThat(problems).containsExactlyInAnyOrder(
                ".spec.job.upgradeMode: 'keep-it' is not one of [last-state, savepoint, stateless]",
                ".spec.job.parallelism: 'two' is not an integer",
                ".spec.job.jarUri: not a field of the schema");
    }

    @Test
    void jobArgumentsParseWithTheJobsOptionsAndPointAtTheMountedFiles() throws Exception {
        Map<String, Object> decision = map(map(documents(KUBERNETES.resolve("decision.yaml")).get(0).get("spec")).get("job"));
        Settings decisionSettings = Settings.parse(DecisionOptions.all(), strings(decision.get("args")));
        Map<String, Object> delivery = map(map(documents(KUBERNETES.resolve("delivery.yaml")).get(0).get("spec")).get("job"));
        Settings deliverySettings = Settings.parse(DeliveryOptions.all(), strings(delivery.get("args")));

        String decisionYaml = Files.readString(KUBERNETES.resolve("decision.yaml"));
        assertThat(decisionYaml).contains("mountPath: " + decisionSettings.get(DecisionOptions.SCENARIOS_DIR));
        String deliveryYaml = Files.readString(KUBERNETES.resolve("delivery.yaml"));
        String tokenFile = deliverySettings.get(io.lifecyclemail.common.tokens.TokenOptions.SECRET_FILE);
        assertThat(deliveryYaml).contains("mountPath: " + Path.of(tokenFile).getParent());
        assertThat(deliveryYaml).contains("name: " + deliverySettings.get(DeliveryOptions.SMTP_PASSWORD_ENV));
        assertThat(decisionSettings.get(DecisionOptions.TRANSACTIONAL_ID_PREFIX))
                .isNotEqualTo(deliverySettings.get(DeliveryOptions.TRANSACTIONAL_ID_PREFIX));
    }

    @Test
    void flinkConfigurationKeepsTheShippedClusterSettings() throws Exception {
        Map<String, Object> shipped = documents(ROOT.resolve("deploy/flink/config.yaml")).get(0);
        for (String file : List.of("decision.yaml", "delivery.yaml")) {
            Map<String, Object> configuration = map(map(documents(KUBERNETES.resolve(file)).get(0).get("spec"))
                    .get("flinkConfiguration"));
            for (Map.Entry<String, Object> setting : shipped.entrySet()) {
                if (setting.getKey().equals("parallelism.default")) {
                    continue; // each FlinkDeployment sets spec.job.parallelism
                }
                assertThat(configuration).as(file + ": " + setting.getKey()).containsKey(setting.getKey());
                if (!setting.getKey().startsWith("execution.checkpointing.") || !setting.getKey().endsWith("dir")) {
                    assertThat(String.valueOf(configuration.get(setting.getKey()))).as(file + ": " + setting.getKey())
                            .isEqualTo(String.valueOf(setting.getValue()));
                } else {
                    assertThat(String.valueOf(configuration.get(setting.getKey()))).as("object storage").startsWith("s3://");
                }
            }
        }
    }

    /**
     * The quickstart's mini cluster runs RocksDB as a cluster does: a RocksDB setting added to
     * config.yaml (bloom filters doubled W3's events/s) must not be left out of it.
     */
    @Test
    void theQuickstartsRocksDbSettingsAreTheShippedOnes() throws Exception {
        Map<String, Object> shipped = documents(ROOT.resolve("deploy/flink/config.yaml")).get(0);
        var local = LocalFlink.configuration(Path.of("/tmp/unused"), java.time.Duration.ofSeconds(30)).toMap();
        List<String> rocksDbKeys = shipped.keySet().stream()
                .filter(key -> key.equals("state.backend.type") || key.startsWith("state.backend.rocksdb."))
                .filter(key -> !key.endsWith(".localdir")) // a path of the machine
                .toList();
        assertThat(rocksDbKeys).contains("state.backend.type", "state.backend.rocksdb.use-bloom-filter");
        for (String key : rocksDbKeys) {
            assertThat(local.get(key)).as(key).isEqualTo(String.valueOf(shipped.get(key)));
        }
    }

    @Test
    void kafkaTopicsAreTheDocumentedTopics() throws Exception {
        Map<String, Map<String, String>> conf = new LinkedHashMap<>();
        for (String line : Files.readAllLines(ROOT.resolve("deploy/kafka/topics.conf"))) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.trim().split("\\s+");
            Map<String, String> configs = new LinkedHashMap<>();
            for (int i = 1; i < parts.length; i++) {
                configs.put(parts[i].substring(0, parts[i].indexOf('=')), parts[i].substring(parts[i].indexOf('=') + 1));
            }
            conf.put(parts[0], configs);
        }
        Map<String, Map<String, String>> resources = new LinkedHashMap<>();
        for (Map<String, Object> topic : documents(KUBERNETES.resolve("topics.yaml"))) {
            assertThat(topic.get("kind")).isEqualTo("KafkaTopic");
            assertThat(topic.get("apiVersion")).isEqualTo("kafka.strimzi.io/v1beta2");
            Map<String, Object> spec = map(topic.get("spec"));
            assertThat(spec.get("partitions")).isInstanceOf(Integer.class);
            Map<String, String> configs = new LinkedHashMap<>();
            map(spec.get("config")).forEach((key, value) -> configs.put(key, String.valueOf(value)));
            configs.remove("min.insync.replicas");
            resources.put((String) map(topic.get("metadata")).get("name"), configs);
        }
        assertThat(resources).isEqualTo(conf);
        // and both list the topics of docs/topics.md
        String topicsDoc = Files.readString(ROOT.resolve("docs/topics.md"));
        for (String topic : conf.keySet()) {
            assertThat(topicsDoc).contains("| `" + topic + "` |");
        }
    }

    /** The spec's schema: the API server checks apiVersion, kind and metadata itself (the CRD leaves them out). */
    private static Map<String, Object> specSchema(Map<String, Object> schema) {
        return map(map(schema.get("properties")).get("spec"));
    }

    private static Map<String, Object> deploymentSchema() throws Exception {
        try (InputStream crd = KubernetesResourcesTest.class.getResourceAsStream(
                "/META-INF/fabric8/flinkdeployments.flink.apache.org-v1.yml")) {
            assertThat(crd).as("the operator API jar's CRD").isNotNull();
            Map<String, Object> definition = map(new Load(LoadSettings.builder().build()).loadFromInputStream(crd));
            for (Object version : (List<?>) map(definition.get("spec")).get("versions")) {
                if ("v1beta1".equals(map(version).get("name"))) {
                    return map(map(map(version).get("schema")).get("openAPIV3Schema"));
                }
            }
        }
        throw new AssertionError("no v1beta1 schema in the CRD");
    }

    /** Checks a value against an OpenAPI v3 schema as the API server would (the parts CRDs use). */
    static void validate(Object value, Map<String, Object> schema, String path, List<String> problems) {
        if (value == null) {
            return;
        }
        if (schema.get("enum") instanceof List<?> allowed && !allowed.contains(value)) {
            problems.add(path + ": '" + value + "' is not one of " + allowed);
            return;
        }
        String type = (String) schema.get("type");
        if (Boolean.TRUE.equals(schema.get("x-kubernetes-int-or-string"))) {
            return;
        }
        switch (type == null ? "" : type) {
            case "object" -> {
                if (!(value instanceof Map<?, ?> object)) {
                    problems.add(path + ": not an object");
                    return;
                }
                Map<String, Object> properties = schema.get("properties") == null ? Map.of() : map(schema.get("properties"));
                Object additional = schema.get("additionalProperties");
                boolean open = Boolean.TRUE.equals(schema.get("x-kubernetes-preserve-unknown-fields"));
                if (schema.get("required") instanceof List<?> required) {
                    for (Object field : required) {
                        if (!object.containsKey(field)) {
                            problems.add(path + "." + field + ": required");
                        }
                    }
                }
                for (Map.Entry<?, ?> entry : object.entrySet()) {
                    String field = String.valueOf(entry.getKey());
                    if (properties.containsKey(field)) {
                        validate(entry.getValue(), map(properties.get(field)), path + "." + field, problems);
                    } else if (additional instanceof Map<?, ?> additionalSchema) {
                        validate(entry.getValue(), map(additionalSchema), path + "." + field, problems);
                    } else if (!open && !properties.isEmpty()) {
                        problems.add(path + "." + field + ": not a field of the schema");
                    }
                }
            }
            case "array" -> {
                if (!(value instanceof List<?> list)) {
                    problems.add(path + ": not a list");
                    return;
                }
                for (int i = 0; i < list.size(); i++) {
                    validate(list.get(i), map(schema.get("items")), path + "[" + i + "]", problems);
                }
            }
            case "string" -> {
                if (!(value instanceof String)) {
                    problems.add(path + ": '" + value + "' is not a string");
                }
            }
            case "integer" -> {
                if (!(value instanceof Integer || value instanceof Long)) {
                    problems.add(path + ": '" + value + "' is not an integer");
                }
            }
            case "number" -> {
                if (!(value instanceof Number)) {
                    problems.add(path + ": '" + value + "' is not a number");
                }
            }
            case "boolean" -> {
                if (!(value instanceof Boolean)) {
                    problems.add(path + ": '" + value + "' is not a boolean");
                }
            }
            default -> { } // no type: anything
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    private static String[] strings(Object list) {
        return ((List<?>) list).stream().map(String::valueOf).toArray(String[]::new);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> documents(Path file) throws Exception {
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object document : new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(file))) {
            if (document != null) {
                documents.add((Map<String, Object>) document);
            }
        }
        return documents;
    }
}
