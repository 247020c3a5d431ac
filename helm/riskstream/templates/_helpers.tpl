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
{{- $props := dict -}}
{{- range $key, $value := .Values.config -}}
{{- if hasKey $owned $key -}}
{{- fail (printf "config.%s is set by the chart: use %s instead" $key (get $owned $key)) -}}
{{- end -}}
{{- if not (kindIs "invalid" $value) -}}
{{- $_ := set $props $key $value -}}
{{- end -}}
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
