import sys

from ifnonto.cli import main

sys.exit(main())
