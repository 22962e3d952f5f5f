// The `jcfed` admin tool. Commands live in Commands/, the root command in JCFed.swift.
JCFed.main()
