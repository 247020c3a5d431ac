{{- define "riskstream.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "riskstream.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "riskstream.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "riskstream.selectorLabels" -}}
app.kubernetes.io/name: {{ include "riskstream.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "riskstream.labels" -}}
helm.sh/chart: {{ include "riskstream.chart" . }}
{{ include "riskstream.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "riskstream.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "riskstream.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "riskstream.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "riskstream.configFile" -}}/etc/riskstream/riskstream.properties{{- end -}}

{{/* Where the bearer tokens Secret and the TLS Secret are mounted. */}}
{{- define "riskstream.httpTokensDir" -}}/var/run/secrets/riskstream/http-tokens{{- end -}}
{{- define "riskstream.httpTlsDir" -}}/var/run/secrets/riskstream/http-tls{{- end -}}

{{/* HTTPS or HTTP, for probes. */}}
{{- define "riskstream.httpScheme" -}}{{ ternary "HTTPS" "HTTP" .Values.http.tls.enabled }}{{- end -}}

{{/* The TLS Secret's name; fails when TLS is enabled without one. */}}
{{- define "riskstream.httpTlsSecret" -}}
{{- required "http.tls.existingSecret is required with http.tls.enabled (a Secret with the PKCS12 keystore and its password)" .Values.http.tls.existingSecret -}}
{{- end -}}

{{/* The Secret and key holding the registry password; empty when there is none. */}}
{{- define "riskstream.registryPasswordSecret" -}}
{{- if .Values.registryPassword.existingSecret -}}
{{- .Values.registryPassword.existingSecret -}}
{{- else if .Values.registryPassword.value -}}
{{- printf "%s-registry" (include "riskstream.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "riskstream.registryPasswordKey" -}}
{{- if .Values.registryPassword.existingSecret -}}
{{- .Values.registryPassword.existingSecretKey -}}
{{- else -}}
password
{{- end -}}
{{- end -}}

{{/*
One value in java.util.Properties syntax. YAML numbers arrive as float64 (16777216 would print as 1.6777216e+07),
lists become the comma-separated form of ConfigDef's LIST type, and backslashes are doubled because
Properties.load drops a single one (source.topic.pattern is a regular expression).
*/}}
{{- define "riskstream.propertyValue" -}}
{{- $v := . -}}
{{- if kindIs "slice" $v -}}
{{- $v = join "," $v -}}
{{- else if and (kindIs "float64" $v) (eq $v (float64 (int64 $v))) -}}
{{- $v = int64 $v -}}
{{- end -}}
{{- toString $v | replace "\\" "\\\\" | replace "\n" "\\n" -}}
{{- end -}}

{{/* riskstream.properties: .Values.config plus the keys the chart owns. */}}
{{- define "riskstream.properties" -}}
{{- $owned := dict "state.dir" "persistence.mountPath" "http.port" "http.port" "tensorrt.engine.cache.dir" "gpu.engineCache.mountPath" "registry.password" "registryPassword" "application.server" "the pod's name (headless Service)" "http.auth.tokens.file" "http.authTokens" "http.tls.keystore.path" "http.tls" "http.tls.keystore.password" "http.tls" "http.tls.truststore.path" "http.tls" "http.tls.truststore.password" "http.tls" -}}
{{- $_ := set $owned "security.protocol" "kafka.security.protocol" -}}
{{- $_ := set $owned "sasl.mechanism" "kafka.security.sasl.mechanism" -}}
{{- range $key := list "sasl.jaas.config" -}}
{{- $_ := set $owned $key "kafka.security.sasl (username and a Secret)" -}}
{{- end -}}
{{- range $key := list "ssl.truststore.location" "ssl.truststore.type" "ssl.keystore.location" "ssl.keystore.type" -}}
{{- $_ := set $owned $key "kafka.security.tls (a Secret mounted as a volume)" -}}
{{- end -}}
{{- range $key := list "ssl.truststore.password" "ssl.keystore.password" "ssl.key.password" -}}
{{- $_ := set $owned $key "kafka.security.tls.passwordsSecret" -}}
{{- end -}}
{{- range $key := list "ssl.keystore.key" "ssl.keystore.certificate.chain" "ssl.truststore.certificates" "sasl.oauthbearer.client.credentials.client.secret" "sasl.oauthbearer.assertion.private.key.passphrase" -}}
{{- $_ := set $owned $key "extraEnv (RISKSTREAM_<KEY> from a Secret: a secret never goes into the ConfigMap)" -}}
{{- end -}}
{{- $_ := set $owned "registry.truststore.password" "extraEnv (RISKSTREAM_REGISTRY_TRUSTSTORE_PASSWORD from a Secret)" -}}
{{- $props := dict -}}
{{- range $key, $value := .Values.config -}}
{{- if hasKey $owned $key -}}
{{- fail (printf "config.%s is set by the chart: use %s instead" $key (get $owned $key)) -}}
{{- end -}}
{{- if not (kindIs "invalid" $value) -}}
{{- $_ := set $props $key $value -}}
{{- end -}}
{{- end -}}
{{- range $key, $value := include "riskstream.kafkaProperties" . | fromJson -}}
{{- $_ := set $props $key $value -}}
{{- end -}}
{{- $_ := set $props "state.dir" .Values.persistence.mountPath -}}
{{- $_ := set $props "http.port" .Values.http.port -}}
{{- if .Values.http.authTokens.existingSecret -}}
{{- $_ := set $props "http.auth.tokens.file" (printf "%s/%s" (include "riskstream.httpTokensDir" .) .Values.http.authTokens.key) -}}
{{- end -}}
{{- if .Values.http.tls.enabled -}}
{{- $_ := set $props "http.tls.keystore.path" (printf "%s/%s" (include "riskstream.httpTlsDir" .) .Values.http.tls.keystoreKey) -}}
{{- if .Values.http.tls.truststoreKey -}}
{{- $_ := set $props "http.tls.truststore.path" (printf "%s/%s" (include "riskstream.httpTlsDir" .) .Values.http.tls.truststoreKey) -}}
{{- end -}}
{{- end -}}
{{- if .Values.gpu.enabled -}}
{{- $_ := set $props "scorer" .Values.gpu.scorer -}}
{{- $_ := set $props "tensorrt.engine.cache.dir" .Values.gpu.engineCache.mountPath -}}
{{- end -}}
# Rendered by the riskstream Helm chart from .Values.config; RISKSTREAM_<KEY> environment variables override it.
{{- range $key, $value := $props }}
{{ $key }}={{ include "riskstream.propertyValue" $value }}
{{- end }}
{{ end -}}

{{/*
The JVM options of the application's containers. JavaCPP extracts its native libraries under the home directory by
default, which is read-only here. With a GPU, JavaCPP's memory ceiling (derived from the heap limit) is lifted: a
TensorRT engine build uses several GB outside the heap and the ceiling would stop it.
*/}}
{{- define "riskstream.javaToolOptions" -}}
{{- $gpu := ternary "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0" "" .Values.gpu.enabled -}}
{{- printf "%s -Djava.io.tmpdir=/tmp -Dorg.bytedeco.javacpp.cachedir=/tmp/javacpp %s %s" .Values.jvm.heap $gpu .Values.jvm.extraOptions | trim | replace "  " " " -}}
{{- end -}}

{{/*
Kafka security (kafka.security): the keys of riskstream.properties, as a JSON object. Nothing secret: the SASL
password and the store passwords reach the container as environment variables from Secrets (riskstream.kafkaEnv).
*/}}
{{- define "riskstream.kafkaProperties" -}}
{{- $s := .Values.kafka.security -}}
{{- $props := dict -}}
{{- if ne $s.protocol "PLAINTEXT" -}}
{{- $_ := set $props "security.protocol" $s.protocol -}}
{{- end -}}
{{- if hasPrefix "SASL_" $s.protocol -}}
{{- if not $s.sasl.username -}}
{{- fail (printf "kafka.security.protocol %s needs kafka.security.sasl.username" $s.protocol) -}}
{{- end -}}
{{- if not (include "riskstream.kafkaSaslSecret" .) -}}
{{- fail (printf "kafka.security.protocol %s needs kafka.security.sasl.existingSecret (or sasl.password)" $s.protocol) -}}
{{- end -}}
{{- $_ := set $props "sasl.mechanism" $s.sasl.mechanism -}}
{{- end -}}
{{- if and (hasSuffix "SSL" $s.protocol) $s.tls.existingSecret -}}
{{- if $s.tls.truststoreKey -}}
{{- $_ := set $props "ssl.truststore.location" (printf "%s/%s" $s.tls.mountPath $s.tls.truststoreKey) -}}
{{- $_ := set $props "ssl.truststore.type" $s.tls.storeType -}}
{{- end -}}
{{- if $s.tls.keystoreKey -}}
{{- $_ := set $props "ssl.keystore.location" (printf "%s/%s" $s.tls.mountPath $s.tls.keystoreKey) -}}
{{- $_ := set $props "ssl.keystore.type" $s.tls.storeType -}}
{{- end -}}
{{- end -}}
{{- toJson $props -}}
{{- end -}}

{{/* The Secret holding the SASL password; empty when there is none. */}}
{{- define "riskstream.kafkaSaslSecret" -}}
{{- if .Values.kafka.security.sasl.existingSecret -}}
{{- .Values.kafka.security.sasl.existingSecret -}}
{{- else if .Values.kafka.security.sasl.password -}}
{{- printf "%s-kafka-sasl" (include "riskstream.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/*
The container's Kafka security environment: the SASL password from its Secret, the JAAS configuration that
Kubernetes completes with it ($(KAFKA_SASL_PASSWORD), so the rendered manifests hold no secret), and the store
passwords from kafka.security.tls.passwordsSecret as RISKSTREAM_SSL_* overrides.
*/}}
{{- define "riskstream.kafkaEnv" -}}
{{- $s := .Values.kafka.security -}}
{{- if hasPrefix "SASL_" $s.protocol }}
- name: KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "riskstream.kafkaSaslSecret" . }}
      key: {{ ternary $s.sasl.existingSecretKey "password" (ne $s.sasl.existingSecret "") }}
- name: RISKSTREAM_SASL_JAAS_CONFIG
  value: {{ printf "%s required username=\"%s\" password=\"$(KAFKA_SASL_PASSWORD)\";" (ternary "org.apache.kafka.common.security.plain.PlainLoginModule" "org.apache.kafka.common.security.scram.ScramLoginModule" (eq $s.sasl.mechanism "PLAIN")) $s.sasl.username | quote }}
{{- end }}
{{- if and (hasSuffix "SSL" $s.protocol) $s.tls.existingSecret $s.tls.passwordsSecret }}
{{- if $s.tls.truststoreKey }}
- name: RISKSTREAM_SSL_TRUSTSTORE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $s.tls.passwordsSecret }}
      key: {{ $s.tls.truststorePasswordKey }}
{{- end }}
{{- if $s.tls.keystoreKey }}
- name: RISKSTREAM_SSL_KEYSTORE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $s.tls.passwordsSecret }}
      key: {{ $s.tls.keystorePasswordKey }}
- name: RISKSTREAM_SSL_KEY_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $s.tls.passwordsSecret }}
      key: {{ default $s.tls.keystorePasswordKey $s.tls.keyPasswordKey }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The volume mount and the volume of the Kafka TLS stores (kafka.security.tls.existingSecret). */}}
{{- define "riskstream.kafkaTlsMount" -}}
{{- $s := .Values.kafka.security -}}
{{- if and (hasSuffix "SSL" $s.protocol) $s.tls.existingSecret }}
- name: kafka-tls
  mountPath: {{ $s.tls.mountPath }}
  readOnly: true
{{- end }}
{{- end -}}

{{- define "riskstream.kafkaTlsVolume" -}}
{{- $s := .Values.kafka.security -}}
{{- if and (hasSuffix "SSL" $s.protocol) $s.tls.existingSecret }}
- name: kafka-tls
  secret:
    secretName: {{ $s.tls.existingSecret }}
{{- end }}
{{- end -}}
