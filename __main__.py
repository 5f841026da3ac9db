from pharos.cli import main

raise SystemExit(main())
