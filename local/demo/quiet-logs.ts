// Imported first by the demo: the handlers' Powertools loggers read their level when loaded, and
// their operational lines would bury the demo's progress lines.
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export {};
