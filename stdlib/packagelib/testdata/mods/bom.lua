return "bom ok"
