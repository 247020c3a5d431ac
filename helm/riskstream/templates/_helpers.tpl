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
{{- $owned := dict "state.dir" "persistence.mountPath" "http.port" "http.port" "tensorrt.engine.cache.dir" "gpu.engineCache.mountPath" "registry.password" "registryPassword" "registry.truststore.password" "extraEnv (RISKSTREAM_REGISTRY_TRUSTSTORE_PASSWORD from a Secret)" -}}
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
